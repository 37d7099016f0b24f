import { ConfigError, createDatabase, createLogger, listen, onShutdownSignal, sessionPeersFromConfig } from '@strangler/kit';
import { buildAuthSecurity } from '@strangler/auth-api';
import { migrateLatest, monolithMigrations } from '@strangler/migrations';
import { readMonolithConfig } from './config';
import { buildMonolithApp } from './app';
import { httpPaymentsPort } from './payments-client/http-payments-port';

async function main(): Promise<void> {
  const config = readMonolithConfig();
  const logger = createLogger({ name: 'monolith', level: config.LOG_LEVEL });
  const db = createDatabase(config.DATABASE_URL);
  if (config.MIGRATE_ON_START) {
    const applied = await migrateLatest(db.knex, monolithMigrations);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const security = await buildAuthSecurity(
    config,
    { urls: config.AUTH_PEERS, internalToken: config.INTERNAL_API_TOKEN, timeoutMs: config.PEER_TIMEOUT_MS },
    logger,
  );
  const { peers, cache } = sessionPeersFromConfig(config, logger);
  const app = buildMonolithApp({
    db,
    logger,
    sessionTtlMs: config.SESSION_TTL_MS,
    authPeers: config.AUTH_PEERS,
    internalToken: config.INTERNAL_API_TOKEN,
    peerTimeoutMs: config.PEER_TIMEOUT_MS,
    peers,
    sessionCache: cache,
    loginThrottle: security.throttle,
    passwords: security.passwords,
    ...(config.PAYMENTS_MODE === 'http' && config.PAYMENTS_SERVICE_URL
      ? {
          paymentsPort: httpPaymentsPort({
            baseUrl: config.PAYMENTS_SERVICE_URL.replace(/\/+$/, ''),
            timeoutMs: config.PAYMENTS_TIMEOUT_MS,
            retries: config.PAYMENTS_RETRIES,
            logger: logger.child({ component: 'payments-client' }),
          }),
        }
      : {}),
  });
  const server = await listen(app, config.PORT);
  logger.info(
    { port: server.port, database: db.dialect, payments: config.PAYMENTS_MODE, loginThrottle: security.throttleStore, sessionCache: cache ? 'on' : 'off' },
    `monolith listening on http://localhost:${server.port}`,
  );
  onShutdownSignal(
    logger,
    [
      { name: 'http', run: () => server.close(config.SHUTDOWN_TIMEOUT_MS) },
      { name: 'session cache', run: async () => cache?.stop() },
      { name: 'database', run: () => db.close() },
      { name: 'login throttle', run: () => security.close() },
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`monolith: ${error.message}\n`);
  } else {
    process.stderr.write(`monolith: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
