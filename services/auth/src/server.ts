import { ConfigError, createDatabase, createLogger, listen, onShutdownSignal, sessionPeersFromConfig } from '@strangler/kit';
import { buildAuthSecurity } from '@strangler/auth-api';
import { authMigrations, migrateLatest } from '@strangler/migrations';
import { readAuthServiceConfig } from './config';
import { buildAuthServiceApp } from './app';

async function main(): Promise<void> {
  const config = readAuthServiceConfig();
  const logger = createLogger({ name: 'auth-service', level: config.LOG_LEVEL });
  const db = createDatabase(config.DATABASE_URL);
  if (config.MIGRATE_ON_START) {
    const applied = await migrateLatest(db.knex, authMigrations);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const security = await buildAuthSecurity(
    config,
    { urls: config.AUTH_PEERS, internalToken: config.INTERNAL_API_TOKEN, timeoutMs: config.PEER_TIMEOUT_MS },
    logger,
  );
  const { peers, cache } = sessionPeersFromConfig(config, logger);
  const app = buildAuthServiceApp({
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
  });
  const server = await listen(app, config.PORT);
  logger.info(
    { port: server.port, database: db.dialect, loginThrottle: security.throttleStore, sessionCache: cache ? 'on' : 'off' },
    `auth-service listening on http://localhost:${server.port}`,
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
    process.stderr.write(`auth-service: ${error.message}\n`);
  } else {
    process.stderr.write(`auth-service: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
