import type { Knex } from 'knex';
import type { Dialect } from '@strangler/kit';
import type { Capability } from '../capabilities/capability';
import { deleteCheckpoints, ensureEngineTables, readCheckpoint, writeCheckpoint } from '../engine-tables';
import { sideOf } from '../mapping';
import type { SideName } from '../types';
import { changelogDdl, changelogTable, dropTriggerSql, isVersionOf, triggerDefinition, triggerPrefix, TRIGGER_EVENTS, type TriggerDefinition, type WatchedTable } from './trigger-ddl';

const dialectOfKnex = (db: Knex): Dialect => (db.client.config.client === 'mysql2' ? 'mysql' : 'sqlite');

/** The tables of `side` whose writes the capability's sync must see. */
export function watchedTables(capability: Capability, side: SideName): WatchedTable[] {
  return capability.mappings.flatMap((mapping) =>
    sideOf(mapping, side).captured.map((captured) => ({ mapping: mapping.name, table: captured.table, keyColumns: captured.keyColumns })),
  );
}

export function expectedTriggers(db: Knex, capability: Capability, side: SideName): TriggerDefinition[] {
  const dialect = dialectOfKnex(db);
  return watchedTables(capability, side).flatMap((watched) => TRIGGER_EVENTS.map((event) => triggerDefinition(dialect, capability.name, watched, event)));
}

/** The triggers in this database that belong to the capability's capture (other triggers, a write fence's say, are not listed). */
async function existingTriggers(db: Knex, capability: Capability): Promise<string[]> {
  const prefix = triggerPrefix(capability.name).replace(/_/g, '\\_');
  let names: string[];
  if (dialectOfKnex(db) === 'mysql') {
    const [rows] = (await db.raw('select trigger_name as name from information_schema.triggers where trigger_schema = database() and trigger_name like ?', [`${prefix}%`])) as [Array<{ name: string }>];
    names = rows.map((row) => row.name);
  } else {
    const rows = (await db.raw("select name from sqlite_master where type = 'trigger' and name like ? escape '\\'", [`${prefix}%`])) as Array<{ name: string }>;
    names = rows.map((row) => row.name);
  }
  const stems = [...new Set([...expectedTriggers(db, capability, 'monolith'), ...expectedTriggers(db, capability, 'service')].map((t) => t.stem))];
  return names.filter((name) => stems.some((stem) => isVersionOf(name, stem)));
}

export interface CaptureState {
  /** The changelog exists and every watched table and event has a capture trigger. */
  installed: boolean;
  changelog: boolean;
  triggers: number;
  expectedTriggers: number;
  /** Capture triggers of an older definition (they capture; `capture install` replaces them without a gap). */
  outdated: number;
}

export async function captureState(db: Knex, capability: Capability, side: SideName): Promise<CaptureState> {
  const expected = expectedTriggers(db, capability, side);
  const existing = await existingTriggers(db, capability);
  const covered = expected.filter((trigger) => existing.some((name) => isVersionOf(name, trigger.stem)));
  const current = expected.filter((trigger) => existing.includes(trigger.name));
  const changelog = await db.schema.hasTable(changelogTable(capability.name));
  return {
    installed: changelog && covered.length === expected.length,
    changelog,
    triggers: covered.length,
    expectedTriggers: expected.length,
    outdated: covered.length - current.length,
  };
}

const alreadyExists = (error: unknown): boolean => /already exists/i.test((error as Error)?.message ?? '') || (error as { code?: string })?.code === 'ER_TRG_ALREADY_EXISTS';

/**
 * Creates the changelog table and an AFTER INSERT/UPDATE/DELETE trigger on every watched table.
 * Re-running it never opens a gap in capture (docs/decisions/0024-capture-install-without-gaps.md):
 * a trigger already installed with the expected definition is left alone; a missing one is
 * created; one of another definition gets its replacement created first and is dropped after, so
 * at every moment at least one capture trigger fires (a write in between is captured twice, which
 * the sync takes as one). Safe to run concurrently with itself.
 */
export async function installCapture(db: Knex, capability: Capability, side: SideName): Promise<{ changelog: string; triggers: string[]; created: string[]; replaced: string[] }> {
  const dialect = dialectOfKnex(db);
  await ensureEngineTables(db);
  await deleteCheckpoints(db, removedMarker(capability.name)); // installed again on purpose
  await db.raw(changelogDdl(dialect, capability.name));
  const expected = expectedTriggers(db, capability, side);
  const existing = await existingTriggers(db, capability);
  const created: string[] = [];
  const replaced: string[] = [];
  for (const trigger of expected) {
    if (!existing.includes(trigger.name)) {
      try {
        await db.raw(trigger.sql);
        created.push(trigger.name);
      } catch (error) {
        if (!alreadyExists(error)) throw error; // another install created it meanwhile
      }
    }
    for (const old of existing.filter((name) => name !== trigger.name && isVersionOf(name, trigger.stem))) {
      await db.raw(dropTriggerSql(dialect, old));
      replaced.push(old);
    }
  }
  return { changelog: changelogTable(capability.name), triggers: expected.map((trigger) => trigger.name), created, replaced };
}

export class PendingChangesError extends Error {
  constructor(
    readonly pending: number,
    readonly side?: SideName,
  ) {
    super(`${pending} captured change(s)${side ? ` on the ${side}` : ''} have not been synced yet; run the sync until it is idle, or pass --force to drop them`);
    this.name = 'PendingChangesError';
  }
}

export async function pendingChanges(db: Knex, capability: Capability): Promise<number> {
  const table = changelogTable(capability.name);
  if (!(await db.schema.hasTable(table))) return 0;
  const row = (await db(table).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

/**
 * Drops the triggers, then the changelog — unless changes were captured before the triggers went
 * (then the changelog stays, with them, and `left` says how many: run the sync, then remove again).
 * With `force`, unsynced changes are dropped. Callers check every side first (see removeCaptureEverywhere).
 */
export async function removeCapture(db: Knex, capability: Capability, options: { force?: boolean } = {}): Promise<{ triggers: string[]; droppedChanges: number; left: number }> {
  const dialect = dialectOfKnex(db);
  const table = changelogTable(capability.name);
  const dropped = await existingTriggers(db, capability);
  // Triggers first: SQLite refuses DDL on a table whose trigger writes to a missing changelog.
  for (const name of dropped) await db.raw(dropTriggerSql(dialect, name));
  const pending = await pendingChanges(db, capability);
  if (pending > 0 && !options.force) return { triggers: dropped, droppedChanges: 0, left: pending };
  if (await db.schema.hasTable(table)) await db.schema.dropTable(table);
  await ensureEngineTables(db);
  await db.transaction((trx) => writeCheckpoint(trx, removedMarker(capability.name), { removedAt: new Date().toISOString() }));
  return { triggers: dropped, droppedChanges: pending, left: 0 };
}

/** Remembers that an operator removed capture (runbook §6), so that `npm start` does not bring it back. */
const removedMarker = (capability: string) => `capture-removed:${capability}`;

/** When an operator removed this capability's capture from this database (undefined: never, or installed since). */
export async function captureRemovedAt(db: Knex, capability: Capability): Promise<string | undefined> {
  const marker = await readCheckpoint<{ removedAt: string }>(db, removedMarker(capability.name));
  return marker?.state.removedAt;
}
