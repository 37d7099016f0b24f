import type { Knex } from 'knex';
// knex has no option for this; its SQLite transaction class is the one place that says `BEGIN`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction') as new (...args: unknown[]) => {
  query(connection: unknown, sql: string): Promise<unknown>;
};

class ImmediateTransaction extends SqliteTransaction {
  begin(connection: unknown): Promise<unknown> {
    return this.query(connection, 'BEGIN IMMEDIATE;');
  }
}

/**
 * Makes every top-level transaction `BEGIN IMMEDIATE`. With a deferred `BEGIN`, a transaction that
 * reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT when another process (the sync
 * worker, a second deployable on the same file) committed in between — busy_timeout cannot help it.
 * Taking the write lock up front makes such a transaction wait its turn instead.
 */
export function useImmediateTransactions(instance: Knex): void {
  const client = instance.client as { transaction: (...args: unknown[]) => unknown };
  client.transaction = function transaction(this: unknown, ...args: unknown[]) {
    return new ImmediateTransaction(this, ...args);
  };
}
