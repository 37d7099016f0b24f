import knex, { type Knex } from 'knex';
import { dialectOf, knexConfigFor, type Dialect } from './database-url';
import { useImmediateTransactions } from './sqlite-immediate-transactions';
import type { ReadinessCheck } from '../health/health-routes';

export interface Database {
  knex: Knex;
  dialect: Dialect;
  readiness: ReadinessCheck;
  close(): Promise<void>;
}

export function createDatabase(databaseUrl: string, options: { poolMax?: number } = {}): Database {
  const instance = knex(knexConfigFor(databaseUrl, options));
  if (dialectOf(databaseUrl) === 'sqlite') useImmediateTransactions(instance);
  return {
    knex: instance,
    dialect: dialectOf(databaseUrl),
    readiness: {
      name: 'database',
      check: async () => {
        await instance.raw('select 1');
      },
    },
    close: () => instance.destroy(),
  };
}

/** True when `error` is a unique-key violation, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number };
  return e?.code === 'ER_DUP_ENTRY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when `error` is a deadlock the database broke by rolling this transaction back (InnoDB
 * picks a victim): the transaction is gone, so running it again from the start is safe. SQLite
 * has a single writer and never reports one. */
export function isDeadlock(error: unknown): boolean {
  const e = error as { code?: string; errno?: number } | undefined;
  return e?.code === 'ER_LOCK_DEADLOCK' || e?.errno === 1213;
}
