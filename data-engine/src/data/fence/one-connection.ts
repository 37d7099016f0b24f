import type { Knex } from 'knex';

/** Statements on one connection of the pool: for session state (LOCK TABLES, lock wait timeouts, BEGIN IMMEDIATE). */
export type Session = (statement: string | Knex.QueryBuilder | Knex.Raw) => Promise<unknown>;

/** Runs `work` on one connection taken from `db`'s pool, given back afterwards (its session settings restored by `work`). */
export async function onOneConnection<T>(db: Knex, work: (run: Session) => Promise<T>): Promise<T> {
  const connection: unknown = await db.client.acquireConnection();
  const run: Session = (statement) => (typeof statement === 'string' ? db.raw(statement) : statement).connection(connection) as unknown as Promise<unknown>;
  try {
    return await work(run);
  } finally {
    await db.client.releaseConnection(connection);
  }
}
