import type { Knex } from 'knex';
import type { Capability } from '../capabilities/capability';
import { watchedTables } from '../capture/capture-installer';
import { quote, TRIGGER_EVENTS, type TriggerEvent } from '../capture/trigger-ddl';
import { APPLY_MARKER_TABLE, ensureEngineTables } from '../engine-tables';
import { MYSQL_SUPPRESS_VARIABLE } from '../engine-transaction';
import type { SideName } from '../types';

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

/** Installs the fence's table and triggers on `side` (idempotent) and holds the fence for `owner` for `ttlMs`, by the database's clock. */
export async function raiseDbFence(db: Knex, capability: Capability, side: SideName, owner: string, ttlMs: number): Promise<void> {
  const dialect = dialectOf(db);
  await ensureEngineTables(db);
  if (!(await db.schema.hasTable(fenceTable(capability.name)))) {
    await db.schema.createTable(fenceTable(capability.name), (t) => {
      t.string('owner', 100).primary();
      t.bigInteger('until_ms').notNullable();
    });
  }
  for (const watched of watchedTables(capability, side)) {
    for (const event of TRIGGER_EVENTS) {
      const { sql } = fenceTriggerSql(dialect, capability.name, watched.table, event);
      try {
        await db.raw(sql);
      } catch (error) {
        if (!alreadyExists(error)) throw error;
      }
    }
  }
  const until = db.raw(`${nowMs(dialect)} + ?`, [Math.round(ttlMs)]);
  await db(fenceTable(capability.name)).insert({ owner, until_ms: until }).onConflict('owner').merge();
}

/** Lets go of `owner`'s hold (the triggers stay: with no hold in force they let everything through). */
export async function lowerDbFence(db: Knex, capability: Capability, owner: string): Promise<void> {
  if (!(await db.schema.hasTable(fenceTable(capability.name)))) return;
  await db(fenceTable(capability.name)).where({ owner }).delete();
}
