import { ConfigError, createDatabase, createLogger, listen, onShutdownSignal, sessionPeersFromConfig } from '@strangler/kit';
import { migrateLatest, paymentsMigrations } from '@strangler/migrations';
import { readPaymentsServiceConfig } from './config';
import { buildPaymentsServiceApp } from './app';

const NAME = 'payments-service';

async function main(): Promise<void> {
  const config = readPaymentsServiceConfig();
  const logger = createLogger({ name: NAME, level: config.LOG_LEVEL });
  const db = createDatabase(config.DATABASE_URL);
  if (config.MIGRATE_ON_START) {
    const applied = await migrateLatest(db.knex, paymentsMigrations);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const { peers, cache } = sessionPeersFromConfig(config, logger);
  const app = buildPaymentsServiceApp({ db, logger, peers, sessionCache: cache });
  const server = await listen(app, config.PORT);
  logger.info(
    { port: server.port, database: db.dialect, authPeers: config.AUTH_PEERS, sessionCache: cache ? 'on' : 'off' },
    `${NAME} listening on http://localhost:${server.port}`,
  );
  onShutdownSignal(
    logger,
    [
      { name: 'http', run: () => server.close(config.SHUTDOWN_TIMEOUT_MS) },
      { name: 'session cache', run: async () => cache?.stop() },
      { name: 'database', run: () => db.close() },
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${NAME}: ${error.message}\n`);
  } else {
    process.stderr.write(`${NAME}: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
