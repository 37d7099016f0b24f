import type { Knex } from 'knex';
import type { Capability } from '../capabilities/capability';
import { watchedTables } from '../capture/capture-installer';
import { quote } from '../capture/trigger-ddl';
import type { SideName } from '../types';
import { onOneConnection, type Session } from './one-connection';
import { describeOpenTransactions } from './open-transactions';

/**
 * The last step of the database fence (docs/decisions/0048-no-open-write-past-the-fence.md): once the
 * fence is raised, a transaction that had already passed its triggers — a process frozen between its
 * last statement and COMMIT — is the only way a write can still land on the old writer, and its change
 * is not in the changelog until it commits. This waits, within `timeoutMs`, until no such transaction
 * is open on the capability's tables, so the backlog read afterwards holds every write the old writer
 * will ever commit.
 *
 * - MariaDB/MySQL: a transaction that changed a table keeps its metadata lock on it until it ends;
 *   `LOCK TABLES t READ` is granted only once no such transaction is open, and its waiting blocks no
 *   reader (nor, on MariaDB, a writer: measured in the decision). One table at a time, released at
 *   once, so the wait holds no lock anyone else could need (no deadlock with the sync's applies).
 * - SQLite: one write transaction at a time; `BEGIN IMMEDIATE` succeeds only when none is open. Polled
 *   with busy_timeout 0, never blocking the process (better-sqlite3 waits synchronously).
 */
export interface OpenWritesOutcome {
  /** True once no transaction that wrote the capability's tables is still open. */
  drained: boolean;
  waitedMs: number;
  /** Not drained: the table an open transaction still holds (MariaDB/MySQL; SQLite's lock is the whole database's). */
  table?: string;
  /** Not drained: who holds it, as far as the database shows it (MariaDB/MySQL: connection, user@host, age). */
  holders?: string;
}

const POLL_MS = 50;
/** SQLite names no holder: the write lock is the database's, not a table's. */
const SQLITE_HOLDER = 'another connection holds a write transaction open (SQLite: one writer at a time)';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isMysql = (db: Knex) => db.client.config.client === 'mysql2';

/** Waits until no transaction that wrote `capability`'s tables on `side` is open, for at most `timeoutMs` (0: look once). */
export async function awaitOpenWrites(db: Knex, capability: Capability, side: SideName, timeoutMs: number): Promise<OpenWritesOutcome> {
  const tables = [...new Set(watchedTables(capability, side).map((watched) => watched.table))];
  const started = Date.now();
  const deadline = started + Math.max(0, timeoutMs);
  const outcome = await onOneConnection(db, (run) => (isMysql(db) ? mysqlWait(run, tables, deadline) : sqliteWait(run, deadline)));
  return { ...outcome, waitedMs: Date.now() - started };
}

type Waited = Omit<OpenWritesOutcome, 'waitedMs'>;

async function mysqlWait(run: Session, tables: string[], deadline: number): Promise<Waited> {
  try {
    for (const table of tables) {
      for (;;) {
        // Whole seconds (the variable's unit): the wait wakes as soon as the lock is free; the
        // rest of the bound is polled without waiting (0 = NOWAIT on MariaDB; MySQL rounds it to 1).
        await run(`set session lock_wait_timeout = ${Math.max(0, Math.floor((deadline - Date.now()) / 1000))}`);
        try {
          await run(`lock tables ${quote('mysql', table)} read`);
          await run('unlock tables');
          break;
        } catch (error) {
          if (!isLockWait(error)) throw error;
        }
        if (Date.now() >= deadline) return { drained: false, table, holders: await describeOpenTransactions(run) };
        await sleep(POLL_MS);
      }
    }
    return { drained: true };
  } finally {
    await run('unlock tables').catch(() => undefined);
    await run('set session lock_wait_timeout = default').catch(() => undefined);
  }
}

const isLockWait = (error: unknown): boolean => {
  const e = error as { errno?: number; code?: string };
  return e?.errno === 1205 || e?.code === 'ER_LOCK_WAIT_TIMEOUT' || e?.errno === 1213;
};

async function sqliteWait(run: Session, deadline: number): Promise<Waited> {
  const previous = Number(Object.values(((await run('pragma busy_timeout')) as Array<Record<string, unknown>>)[0] ?? {})[0] ?? 5000);
  await run('pragma busy_timeout = 0');
  try {
    for (;;) {
      try {
        await run('begin immediate');
        await run('commit');
        return { drained: true };
      } catch (error) {
        if (!String((error as { code?: string })?.code).startsWith('SQLITE_BUSY')) throw error;
      }
      if (Date.now() >= deadline) return { drained: false, holders: SQLITE_HOLDER };
      await sleep(POLL_MS);
    }
  } finally {
    await run(`pragma busy_timeout = ${Math.round(previous)}`).catch(() => undefined);
  }
}
