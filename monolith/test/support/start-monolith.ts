import { createDatabase, createLogger, listen, systemClock, type Clock, type Database } from '@strangler/kit';
import { createTestDatabase, httpClient, type HttpClient } from '@strangler/kit/testing';
import { migrateLatest, monolithMigrations } from '@strangler/migrations';
import { buildMonolithApp } from '../../src/app';
import type { PaymentsPort } from '../../src/payments/payments-port';

export interface RunningMonolith {
  url: string;
  api: HttpClient;
  db: Database;
  stop(): Promise<void>;
}

/** The real monolith on port 0 against a fresh database of the given dialect, migrated the way
 * production is. */
export async function startMonolith(
  dialect: 'sqlite' | 'mysql',
  options: {
    clock?: Clock;
    sessionTtlMs?: number;
    paymentsPort?: PaymentsPort;
    /** Cross-side sessions: the other sides (a function when their ports are known only later). */
    authPeers?: string[] | (() => string[]);
    internalToken?: string;
    peerTimeoutMs?: number;
  } = {},
): Promise<RunningMonolith> {
  const testDb = await createTestDatabase(dialect);
  const db = createDatabase(testDb.url);
  await migrateLatest(db.knex, monolithMigrations);
  const logger = createLogger({ name: 'monolith', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = buildMonolithApp({
    db,
    logger,
    clock: options.clock ?? systemClock,
    sessionTtlMs: options.sessionTtlMs ?? 60 * 60 * 1000,
    ...(options.paymentsPort ? { paymentsPort: options.paymentsPort } : {}),
    authPeers: options.authPeers ?? [],
    internalToken: options.internalToken,
    peerTimeoutMs: options.peerTimeoutMs ?? 1_000,
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
