import type { RequestListener } from 'node:http';
import { createDatabase, type Database } from '../db/create-database';
import { listen } from '../lifecycle/http-server';
import { httpClient, type HttpClient } from './http-client';
import { createTestDatabase } from './test-databases';

/** An app under test, listening on port 0 over a database of its own. */
export interface RunningTestApp {
  url: string;
  api: HttpClient;
  db: Database;
  /** Closes the server, then the database, and drops the database. */
  stop(): Promise<void>;
}

/**
 * A fresh database of `dialect`, prepared by `migrate` (the deployable's production migrations), and
 * the app `build` makes over it, listening on port 0 on 127.0.0.1.
 */
export async function startOnTestDatabase(
  dialect: 'sqlite' | 'mysql',
  migrate: (db: Database) => Promise<unknown>,
  build: (db: Database) => RequestListener,
): Promise<RunningTestApp> {
  const testDb = await createTestDatabase(dialect);
  const db = createDatabase(testDb.url);
  await migrate(db);
  const server = await listen(build(db), 0, '127.0.0.1');
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
