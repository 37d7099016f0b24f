import type { Knex } from 'knex';
import { isDeadlock, isUniqueViolation } from '@strangler/kit';
import { APPLY_MARKER_TABLE } from './engine-tables';

/** Session variable the MySQL capture triggers check: set, the write is the engine's own. */
export const MYSQL_SUPPRESS_VARIABLE = '@strangler_sync_apply';

const isMysql = (db: Knex): boolean => db.client.config.client === 'mysql2';

/**
 * Errors after which the whole transaction can simply run again: a deadlock or lock wait, a busy
 * SQLite, or a key that another writer inserted after this transaction found it missing (the next
 * attempt finds the row and applies the conflict rule to it).
 */
function isRetryable(error: unknown): boolean {
  const e = error as { code?: string; errno?: number } | undefined;
  return isDeadlock(error) || isUniqueViolation(error) || e?.errno === 1205 || e?.code === 'ER_LOCK_WAIT_TIMEOUT' || String(e?.code).startsWith('SQLITE_BUSY');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A transaction whose writes the change-capture triggers ignore, so rows the engine applies to one
 * side are never captured there and sent back (no loops; both directions can run at once).
 *
 * - MySQL/MariaDB: a session variable, set on this transaction's connection (the engine's pools are
 *   its own, so a value left behind by a failed transaction only ever meets engine writes).
 * - SQLite: the first statement inserts a marker row and the last deletes it, so the marker is never
 *   committed and never seen by another connection; and since SQLite has one writer and that first
 *   write takes the write lock, no other connection writes while it exists. The triggers skip while
 *   the marker is there. (Taking the write lock first also means the rows read next cannot change
 *   before this transaction writes them.)
 *
 * On MySQL the transaction runs at READ COMMITTED: rows the engine reads FOR UPDATE are locked, but
 * no gaps, so concurrent chunks (and the application) are not serialised or deadlocked by range
 * locks; a key that is missing when read is inserted with a plain INSERT (see EntitySide.write).
 * Deadlocks, lock timeouts and such duplicate keys roll the whole transaction back; it is run
 * again, up to 5 times.
 */
export async function engineTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const inTransaction = async (trx: Knex.Transaction) => {
        if (isMysql(trx)) await trx.raw(`set ${MYSQL_SUPPRESS_VARIABLE} = 1`);
        else await trx(APPLY_MARKER_TABLE).insert({ active: 1 });
        const result = await work(trx);
        if (isMysql(trx)) await trx.raw(`set ${MYSQL_SUPPRESS_VARIABLE} = null`);
        else await trx(APPLY_MARKER_TABLE).delete();
        return result;
      };
      return await (isMysql(db) ? db.transaction(inTransaction, { isolationLevel: 'read committed' }) : db.transaction(inTransaction));
    } catch (error) {
      if (attempt >= 5 || !isRetryable(error)) throw error;
      await sleep(20 * attempt + Math.floor(Math.random() * 30));
    }
  }
}
