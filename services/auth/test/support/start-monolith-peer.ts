import { createDatabase, createLogger, listen, type Database } from '@strangler/kit';
import { createTestDatabase, httpClient, type HttpClient } from '@strangler/kit/testing';
import { migrateLatest, monolithMigrations } from '@strangler/migrations';
import { buildMonolithApp } from '../../../../monolith/src/app';

export interface RunningMonolithPeer {
  url: string;
  api: HttpClient;
  db: Database;
  stop(): Promise<void>;
}

/**
 * The real monolith taking part in cross-side sessions (AUTH_PEERS + INTERNAL_API_TOKEN), which
 * monolith/test/support/start-monolith.ts does not offer yet; otherwise the same.
 */
export async function startMonolithPeer(
  dialect: 'sqlite' | 'mysql',
  options: { authPeers: string[]; internalToken: string; peerTimeoutMs?: number },
): Promise<RunningMonolithPeer> {
  const testDb = await createTestDatabase(dialect);
  const db = createDatabase(testDb.url);
  await migrateLatest(db.knex, monolithMigrations);
  const logger = createLogger({ name: 'monolith', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = buildMonolithApp({
    db,
    logger,
    sessionTtlMs: 60 * 60 * 1000,
    authPeers: options.authPeers,
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
