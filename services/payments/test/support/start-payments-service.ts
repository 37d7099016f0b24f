import { randomUUID } from 'node:crypto';
import { createLogger, PeerSessionsClient, systemClock, type Clock } from '@strangler/kit';
import { startOnTestDatabase, type RunningTestApp } from '@strangler/kit/testing';
import { migrateLatest, monolithMigrations, paymentsMigrations } from '@strangler/migrations';
import { buildMonolithApp } from '../../../../monolith/src/app';
import { buildPaymentsServiceApp } from '../../src/app';

/** The shared secret of the internal session endpoints in tests (long enough for the config rule). */
export const TEST_INTERNAL_TOKEN = 'test-internal-token-0123456789abcdef';

const testLogger = (name: string) => createLogger({ name, level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export type RunningPaymentsService = RunningTestApp;

export interface PaymentsServiceOptions {
  clock?: Clock;
  /** Base URLs of the sides that issue sessions, asked in order (a function if known only later). */
  peers?: string[] | (() => string[]);
  internalToken?: string;
  peerTimeoutMs?: number;
}

/** The real payments service on port 0 against a fresh database of the given dialect, migrated the
 * way production is. */
export async function startPaymentsService(
  dialect: 'sqlite' | 'mysql',
  options: PaymentsServiceOptions = {},
): Promise<RunningPaymentsService> {
  const logger = testLogger('payments-service');
  const peers = new PeerSessionsClient({
    peers: options.peers ?? [],
    internalToken: options.internalToken ?? TEST_INTERNAL_TOKEN,
    timeoutMs: options.peerTimeoutMs ?? 1_000,
    logger,
  });
  return startOnTestDatabase(
    dialect,
    (db) => migrateLatest(db.knex, paymentsMigrations),
    (db) => buildPaymentsServiceApp({ db, logger, clock: options.clock ?? systemClock, peers }),
  );
}

export interface RunningSessionIssuer extends RunningPaymentsService {
  /** Registers a fresh user here and returns their bearer token and id. */
  newUser(): Promise<{ token: string; userId: string }>;
}

/**
 * A real monolith with its internal session endpoints enabled: it issues the tokens the payments
 * service accepts (and is the reference implementation of the payments API).
 */
export async function startSessionIssuer(
  dialect: 'sqlite' | 'mysql',
  options: { clock?: Clock; internalToken?: string; sessionTtlMs?: number } = {},
): Promise<RunningSessionIssuer> {
  const monolith = await startOnTestDatabase(
    dialect,
    (db) => migrateLatest(db.knex, monolithMigrations),
    (db) =>
      buildMonolithApp({
        db,
        logger: testLogger('monolith'),
        clock: options.clock ?? systemClock,
        sessionTtlMs: options.sessionTtlMs ?? 60 * 60 * 1000,
        internalToken: options.internalToken ?? TEST_INTERNAL_TOKEN,
      }),
  );
  let stopped = false;
  return {
    ...monolith,
    async newUser() {
      const res = await monolith.api.post('/api/auth/register', {
        email: `payer-${randomUUID()}@example.com`,
        password: 'correct horse battery',
        name: 'Payer',
      });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
      return { token: res.body.token as string, userId: res.body.user.id as string };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await monolith.stop();
    },
  };
}

export interface RunningPaymentsStack {
  service: RunningPaymentsService;
  monolith: RunningSessionIssuer;
  stop(): Promise<void>;
}

/** The payments service with a monolith as its session peer: what most service tests need. */
export async function startPaymentsStack(
  dialect: 'sqlite' | 'mysql',
  options: { clock?: Clock; sessionTtlMs?: number } = {},
): Promise<RunningPaymentsStack> {
  const monolith = await startSessionIssuer(dialect, options);
  const service = await startPaymentsService(dialect, { ...options, peers: [monolith.url] });
  return {
    service,
    monolith,
    async stop() {
      await service.stop();
      await monolith.stop();
    },
  };
}
