import { createLogger, systemClock, type Clock } from '@strangler/kit';
import { startOnTestDatabase, type RunningTestApp } from '@strangler/kit/testing';
import { DEFAULT_LOGIN_THROTTLE_LIMITS, LoginThrottle, type LoginThrottleLimits, type PasswordHashing } from '@strangler/auth-api';
import { migrateLatest, monolithMigrations } from '@strangler/migrations';
import { buildMonolithApp } from '../app';
import type { PaymentsPort } from '../payments/payments-port';

export type RunningMonolith = RunningTestApp;

/** The real monolith on port 0 against a fresh database of the given dialect, migrated the way
 * production is. */
export async function startMonolith(
  dialect: 'sqlite' | 'mysql',
  options: {
    clock?: Clock;
    sessionTtlMs?: number;
    paymentsPort?: PaymentsPort;
    /** Cross-side auth: the other sides (a function when their ports are known only later). */
    authPeers?: string[] | (() => string[]);
    internalToken?: string;
    peerTimeoutMs?: number;
    throttle?: Partial<LoginThrottleLimits>;
    /** Replaces the in-memory throttle built from `throttle`. */
    loginThrottle?: LoginThrottle;
    /** Replaces the production password policy (argon2id at OWASP's minimum, default gate). */
    passwords?: PasswordHashing;
  } = {},
): Promise<RunningMonolith> {
  const logger = createLogger({ name: 'monolith', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  return startOnTestDatabase(
    dialect,
    (db) => migrateLatest(db.knex, monolithMigrations),
    (db) =>
      buildMonolithApp({
        db,
        logger,
        clock: options.clock ?? systemClock,
        sessionTtlMs: options.sessionTtlMs ?? 60 * 60 * 1000,
        ...(options.paymentsPort ? { paymentsPort: options.paymentsPort } : {}),
        authPeers: options.authPeers ?? [],
        internalToken: options.internalToken,
        peerTimeoutMs: options.peerTimeoutMs ?? 1_000,
        loginThrottle: options.loginThrottle ?? LoginThrottle.inMemory({ ...DEFAULT_LOGIN_THROTTLE_LIMITS, ...options.throttle }),
        ...(options.passwords ? { passwords: options.passwords } : {}),
      }),
  );
}
