import { createLogger, systemClock, type Clock, type SessionValidityCache } from '@strangler/kit';
import { startOnTestDatabase, type RunningTestApp } from '@strangler/kit/testing';
import { DEFAULT_LOGIN_THROTTLE_LIMITS, LoginThrottle, type LoginThrottleLimits, type PasswordHashing } from '@strangler/auth-api';
import { authMigrations, migrateLatest } from '@strangler/migrations';
import { buildAuthServiceApp } from '../app';

export type RunningAuthService = RunningTestApp;

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
  /** Replaces the production password policy (argon2id at OWASP's minimum, default gate). */
  passwords?: PasswordHashing;
  sessionCache?: SessionValidityCache;
}

/** The real auth service on port 0 against a fresh database of the given dialect, migrated the way
 * production is. */
export async function startAuthService(dialect: 'sqlite' | 'mysql', options: AuthServiceOptions = {}): Promise<RunningAuthService> {
  const logger = createLogger({ name: 'auth-service', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  return startOnTestDatabase(
    dialect,
    (db) => migrateLatest(db.knex, authMigrations),
    (db) =>
      buildAuthServiceApp({
        db,
        logger,
        clock: options.clock ?? systemClock,
        sessionTtlMs: options.sessionTtlMs ?? 60 * 60 * 1000,
        authPeers: options.peers ?? [],
        internalToken: options.internalToken,
        peerTimeoutMs: options.peerTimeoutMs ?? 1_000,
        loginThrottle: options.loginThrottle ?? LoginThrottle.inMemory({ ...DEFAULT_LOGIN_THROTTLE_LIMITS, ...options.throttle }),
        ...(options.passwords ? { passwords: options.passwords } : {}),
        ...(options.sessionCache ? { sessionCache: options.sessionCache } : {}),
      }),
  );
}
