import { ConfigError, createDatabase, createLogger, listen, onShutdownSignal } from '@strangler/kit';
import { authMigrations, migrateLatest } from '@strangler/migrations';
import { readAuthServiceConfig } from './config';
import { buildAuthServiceApp } from './app';
import { connectThrottleRedis } from './throttling/throttle-redis';
import { LoginThrottle, type LoginThrottleLimits } from './throttling/login-throttle';

async function main(): Promise<void> {
  const config = readAuthServiceConfig();
  const logger = createLogger({ name: 'auth-service', level: config.LOG_LEVEL });
  const db = createDatabase(config.DATABASE_URL);
  if (config.MIGRATE_ON_START) {
    const applied = await migrateLatest(db.knex, authMigrations);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const limits: LoginThrottleLimits = {
    maxFailuresPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
    windowMs: config.LOGIN_THROTTLE_WINDOW_MS,
  };
  const redis = config.AUTH_THROTTLE_REDIS_URL
    ? await connectThrottleRedis(config.AUTH_THROTTLE_REDIS_URL, logger.child({ component: 'login-throttle' }))
    : undefined;
  const app = buildAuthServiceApp({
    db,
    logger,
    sessionTtlMs: config.SESSION_TTL_MS,
    authPeers: config.AUTH_PEERS,
    internalToken: config.INTERNAL_API_TOKEN,
    peerTimeoutMs: config.PEER_TIMEOUT_MS,
    loginThrottle: redis ? LoginThrottle.redis(redis, limits) : LoginThrottle.inMemory(limits),
  });
  const server = await listen(app, config.PORT);
  logger.info(
    { port: server.port, database: db.dialect, loginThrottle: redis ? 'redis' : 'memory' },
    `auth-service listening on http://localhost:${server.port}`,
  );
  onShutdownSignal(
    logger,
    [
      { name: 'http', run: () => server.close(config.SHUTDOWN_TIMEOUT_MS) },
      { name: 'database', run: () => db.close() },
      ...(redis ? [{ name: 'redis', run: async () => void (await redis.quit()) }] : []),
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
