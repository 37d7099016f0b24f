import type { Knex } from 'knex';
import type { Capability } from '../capabilities/capability';
import { watchedTables } from '../capture/capture-installer';
import { quote, TRIGGER_EVENTS, type TriggerEvent } from '../capture/trigger-ddl';
import { APPLY_MARKER_TABLE, ensureEngineTables } from '../engine-tables';
import { MYSQL_SUPPRESS_VARIABLE } from '../engine-transaction';
import type { SideName } from '../types';
import { onOneConnection, type Session } from './one-connection';
import { describeOpenTransactions } from './open-transactions';

/**
 * The database half of a write fence (docs/decisions/0018-write-authority-switch.md): while a
 * capability's write authority moves, the old writer's own tables refuse the application's writes —
 * a request already past the edge, a stalled process thawing, a job by another path — with the
 * message kit renders as 503 WRITE_FENCED. The sync's own applies (marked as for capture) still land.
 * Holds are rows (owner, until) in the database's clock, so a CLI that dies leaves one that expires.
 */
export const WRITE_FENCED_MESSAGE = 'WRITE_FENCED';

export const fenceTable = (capability: string): string => `sync_fence_${capability}`;

const dialectOf = (db: Knex) => (db.client.config.client === 'mysql2' ? 'mysql' : 'sqlite');

const nowMs = (dialect: 'mysql' | 'sqlite') => (dialect === 'mysql' ? 'round(unix_timestamp(now(3)) * 1000)' : "cast((julianday('now') - 2440587.5) * 86400000.0 as integer)");

function fenceTriggerSql(dialect: 'mysql' | 'sqlite', capability: string, table: string, event: TriggerEvent): { name: string; sql: string } {
  const q = (identifier: string) => quote(dialect, identifier);
  const name = `fence_${capability}_${table}_${event.slice(0, 3)}`;
  if (name.length > 64) throw new Error(`fence trigger name too long for MySQL: ${name}`);
  const raised = `exists (select 1 from ${q(fenceTable(capability))} where until_ms > ${nowMs(dialect)})`;
  if (dialect === 'mysql') {
    return {
      name,
      sql: `create trigger ${q(name)} before ${event} on ${q(table)} for each row
        if coalesce(${MYSQL_SUPPRESS_VARIABLE}, 0) = 0 and ${raised} then signal sqlstate '45000' set message_text = '${WRITE_FENCED_MESSAGE}'; end if`,
    };
  }
  return {
    name,
    sql: `create trigger if not exists ${q(name)} before ${event} on ${q(table)}
      when not exists (select 1 from ${q(APPLY_MARKER_TABLE)}) and ${raised}
      begin select raise(abort, '${WRITE_FENCED_MESSAGE}'); end`,
  };
}

const alreadyExists = (error: unknown): boolean => /already exists/i.test((error as Error)?.message ?? '') || (error as { code?: string })?.code === 'ER_TRG_ALREADY_EXISTS';

/** How long a raise may wait on the tables by default (below). */
const DEFAULT_RAISE_WAIT_MS = 5_000;

async function existingTriggerNames(on: Session, dialect: 'mysql' | 'sqlite'): Promise<Set<string>> {
  const rows =
    dialect === 'mysql'
      ? ((await on('select trigger_name as name from information_schema.triggers where trigger_schema = database()')) as [Array<{ name: string }>])[0]
      : ((await on("select name from sqlite_master where type = 'trigger'")) as Array<{ name: string }>);
  return new Set(rows.map((row) => row.name));
}

const isLockWaitTimeout = (error: unknown): boolean => (error as { errno?: number })?.errno === 1205;

/**
 * Installs the fence's table and triggers on `side` (idempotent) and holds the fence for `owner` for
 * `ttlMs`, by the database's clock. MariaDB/MySQL may make it wait, at most `waitMs` (decision 0048):
 * - the first raise on a side installs the triggers, and CREATE TRIGGER takes the table's exclusive
 *   metadata lock — behind every open transaction that used the table, every reader queued behind it.
 *   Triggers that exist are not created again (that too would take the lock);
 * - at REPEATABLE READ (the default), the trigger's look at the hold table is a locking read kept
 *   until the writer's transaction ends, so writing the hold waits for every open transaction that
 *   wrote the capability's tables. Past `waitMs` the raise fails naming them.
 */
export async function raiseDbFence(db: Knex, capability: Capability, side: SideName, owner: string, ttlMs: number, options: { waitMs?: number } = {}): Promise<void> {
  const dialect = dialectOf(db);
  await ensureEngineTables(db);
  if (!(await db.schema.hasTable(fenceTable(capability.name)))) {
    await db.schema.createTable(fenceTable(capability.name), (t) => {
      t.string('owner', 100).primary();
      t.bigInteger('until_ms').notNullable();
    });
  }
  const waitSeconds = Math.max(1, Math.ceil((options.waitMs ?? DEFAULT_RAISE_WAIT_MS) / 1000));
  await onOneConnection(db, async (on) => {
    if (dialect === 'mysql') await on(`set session lock_wait_timeout = ${waitSeconds}, innodb_lock_wait_timeout = ${waitSeconds}`);
    try {
      const existing = await existingTriggerNames(on, dialect);
      for (const watched of watchedTables(capability, side)) {
        for (const event of TRIGGER_EVENTS) {
          const { name, sql } = fenceTriggerSql(dialect, capability.name, watched.table, event);
          if (existing.has(name)) continue;
          try {
            await on(sql);
          } catch (error) {
            if (!alreadyExists(error)) throw error;
          }
        }
      }
      const until = db.raw(`${nowMs(dialect)} + ?`, [Math.round(ttlMs)]);
      await on(db(fenceTable(capability.name)).insert({ owner, until_ms: until }).onConflict('owner').merge());
    } catch (error) {
      if (dialect !== 'mysql' || !isLockWaitTimeout(error)) throw error;
      throw new Error(`waited ${waitSeconds} s for open transactions on ${capability.name}'s tables to end (${await describeOpenTransactions(on)})`);
    } finally {
      if (dialect === 'mysql') await on('set session lock_wait_timeout = default, innodb_lock_wait_timeout = default').catch(() => undefined);
    }
  });
}

/** Lets go of `owner`'s hold (the triggers stay: with no hold in force they let everything through). */
export async function lowerDbFence(db: Knex, capability: Capability, owner: string): Promise<void> {
  if (!(await db.schema.hasTable(fenceTable(capability.name)))) return;
  await db(fenceTable(capability.name)).where({ owner }).delete();
}
