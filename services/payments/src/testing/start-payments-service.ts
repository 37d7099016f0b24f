import { createLogger, PeerSessionsClient, systemClock, type Clock } from '@strangler/kit';
import { startOnTestDatabase, TEST_INTERNAL_TOKEN, type RunningTestApp } from '@strangler/kit/testing';
import { migrateLatest, paymentsMigrations } from '@strangler/migrations';
import { startSessionIssuer, type RunningSessionIssuer } from '@strangler/monolith/testing';
import { buildPaymentsServiceApp } from '../app';

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
  const logger = createLogger({ name: 'payments-service', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
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
