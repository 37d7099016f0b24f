import type { Knex } from 'knex';
import type { Dialect } from '@strangler/kit';
import type { Capability } from '../capabilities/capability';
import { ensureEngineTables } from '../engine-tables';
import { sideOf } from '../mapping';
import type { SideName } from '../types';
import { changelogDdl, changelogTable, createTriggerSql, dropTriggerSql, triggerName, triggerPrefix, TRIGGER_EVENTS, type WatchedTable } from './trigger-ddl';

const dialectOfKnex = (db: Knex): Dialect => (db.client.config.client === 'mysql2' ? 'mysql' : 'sqlite');

/** The tables of `side` whose writes the capability's sync must see. */
export function watchedTables(capability: Capability, side: SideName): WatchedTable[] {
  return capability.mappings.flatMap((mapping) =>
    sideOf(mapping, side).captured.map((captured) => ({ mapping: mapping.name, table: captured.table, keyColumns: captured.keyColumns })),
  );
}

export function expectedTriggers(capability: Capability, side: SideName): string[] {
  return watchedTables(capability, side).flatMap((watched) => TRIGGER_EVENTS.map((event) => triggerName(capability.name, watched.table, event)));
}

async function existingTriggers(db: Knex, capability: Capability): Promise<string[]> {
  const prefix = triggerPrefix(capability.name).replace(/_/g, '\\_');
  if (dialectOfKnex(db) === 'mysql') {
    const [rows] = (await db.raw('select trigger_name as name from information_schema.triggers where trigger_schema = database() and trigger_name like ?', [`${prefix}%`])) as [Array<{ name: string }>];
    return rows.map((row) => row.name);
  }
  const rows = (await db.raw("select name from sqlite_master where type = 'trigger' and name like ? escape '\\'", [`${prefix}%`])) as Array<{ name: string }>;
  return rows.map((row) => row.name);
}

export interface CaptureState {
  installed: boolean;
  changelog: boolean;
  triggers: number;
  expectedTriggers: number;
}

export async function captureState(db: Knex, capability: Capability, side: SideName): Promise<CaptureState> {
  const expected = expectedTriggers(capability, side);
  const existing = new Set(await existingTriggers(db, capability));
  const present = expected.filter((name) => existing.has(name)).length;
  const changelog = await db.schema.hasTable(changelogTable(capability.name));
  return { installed: changelog && present === expected.length, changelog, triggers: present, expectedTriggers: expected.length };
}

/**
 * Creates the changelog table and an AFTER INSERT/UPDATE/DELETE trigger on every watched table.
 * Idempotent: each trigger is dropped and created again, so re-running finishes a half-done
 * install (MySQL DDL commits statement by statement). Writes made while the triggers exist are
 * captured from the moment each is created, so install before starting a backfill.
 */
export async function installCapture(db: Knex, capability: Capability, side: SideName): Promise<{ changelog: string; triggers: string[] }> {
  const dialect = dialectOfKnex(db);
  await ensureEngineTables(db);
  await db.raw(changelogDdl(dialect, capability.name));
  const created: string[] = [];
  for (const watched of watchedTables(capability, side)) {
    for (const event of TRIGGER_EVENTS) {
      const name = triggerName(capability.name, watched.table, event);
      await db.raw(dropTriggerSql(dialect, name));
      await db.raw(createTriggerSql(dialect, capability.name, watched, event));
      created.push(name);
    }
  }
  return { changelog: changelogTable(capability.name), triggers: created };
}

export class PendingChangesError extends Error {
  constructor(readonly pending: number) {
    super(`${pending} captured change(s) have not been synced yet; run the sync until it is idle, or pass --force to drop them`);
    this.name = 'PendingChangesError';
  }
}

/** Drops the triggers, then the changelog (refusing while it holds unsynced changes, unless forced). */
export async function removeCapture(db: Knex, capability: Capability, options: { force?: boolean } = {}): Promise<{ triggers: string[]; droppedChanges: number }> {
  const dialect = dialectOfKnex(db);
  const table = changelogTable(capability.name);
  const hasChangelog = await db.schema.hasTable(table);
  let pending = 0;
  if (hasChangelog) {
    const row = (await db(table).count({ n: '*' }).first()) as { n: number | string } | undefined;
    pending = Number(row?.n ?? 0);
    if (pending > 0 && !options.force) throw new PendingChangesError(pending);
  }
  const dropped = await existingTriggers(db, capability);
  for (const name of dropped) await db.raw(dropTriggerSql(dialect, name));
  if (hasChangelog) await db.schema.dropTable(table);
  return { triggers: dropped, droppedChanges: pending };
}
