import { createDatabase, createLogger, listen, PeerSessionsClient, systemClock, type Clock, type Database } from '@strangler/kit';
import { createTestDatabase, httpClient, type HttpClient } from '@strangler/kit/testing';
import { authMigrations, migrateLatest } from '@strangler/migrations';
import { buildAuthServiceApp } from '../../src/app';
import { DEFAULT_LOGIN_THROTTLE_LIMITS, LoginThrottle, type LoginThrottleLimits } from '../../src/throttling/login-throttle';
import type { ScryptParams } from '../../src/passwords/scrypt-params';

export interface RunningAuthService {
  url: string;
  api: HttpClient;
  db: Database;
  stop(): Promise<void>;
}

export interface AuthServiceOptions {
  clock?: Clock;
  sessionTtlMs?: number;
  /** AUTH_PEERS, or a function read at every peer call, for a peer started after this service. */
  peers?: string[] | (() => string[]);
  internalToken?: string;
  peerTimeoutMs?: number;
  throttle?: Partial<LoginThrottleLimits>;
  /** Replaces the in-memory throttle built from `throttle` (e.g. a Redis one shared by instances). */
  loginThrottle?: LoginThrottle;
  passwordParams?: ScryptParams;
}

/** The real auth service on port 0 against a fresh database of the given dialect, migrated the way
 * production is. */
export async function startAuthService(dialect: 'sqlite' | 'mysql', options: AuthServiceOptions = {}): Promise<RunningAuthService> {
  const testDb = await createTestDatabase(dialect);
  const db = createDatabase(testDb.url);
  await migrateLatest(db.knex, authMigrations);
  const logger = createLogger({ name: 'auth-service', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const peers = new PeerSessionsClient({
    peers: options.peers ?? [],
    internalToken: options.internalToken,
    timeoutMs: options.peerTimeoutMs ?? 1_000,
    logger,
  });
  const app = buildAuthServiceApp({
    db,
    logger,
    clock: options.clock ?? systemClock,
    sessionTtlMs: options.sessionTtlMs ?? 60 * 60 * 1000,
    internalToken: options.internalToken,
    peers,
    loginThrottle: options.loginThrottle ?? LoginThrottle.inMemory({ ...DEFAULT_LOGIN_THROTTLE_LIMITS, ...options.throttle }),
    ...(options.passwordParams ? { passwordParams: options.passwordParams } : {}),
  });
  const server = await listen(app, 0, '127.0.0.1');
  return {
    url: server.url,
    api: httpClient(server.url),
    db,
    async stop() {
      await server.close(1_000);
      await db.close();
      await testDb.drop();
    },
  };
}
