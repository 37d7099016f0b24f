import type { Knex } from 'knex';
import { applyPrepared } from '../apply/apply-prepared';
import type { ApplyContext } from '../apply/apply-types';
import { prepareWork } from '../apply/prepare-work';
import { baseStore } from '../bases/entity-bases';
import type { Capability } from '../capabilities/capability';
import { DataCommandError } from '../command-error';
import { ABSENT, TOMBSTONE } from '../conflict-rule';
import { ensureEngineTables } from '../engine-tables';
import { engineTransaction } from '../engine-transaction';
import { sideOf, type EntityMapping } from '../mapping';
import { directionFrom, otherSide, type KeyTuple, type SideName } from '../types';
import { keyText } from '../keys';
import { entityId, QuarantineStore } from './quarantine-store';

export interface ResolveResult {
  mapping: string;
  key: KeyTuple;
  kept: SideName;
  /** What was written on the other side. */
  outcome: 'inserted' | 'updated' | 'deleted' | 'unchanged';
  /** Open quarantine entries closed (both directions). */
  closed: number;
}

/**
 * An operator's decision on a quarantined entity: the `keep` side's current version is written on
 * the other side (or the entity deleted there, if `keep` no longer has it), both sides record it as
 * their agreed base, and the entity's open quarantine entries in both directions are closed. It is
 * the one place the engine overwrites on purpose, and only when told which side is right.
 */
export async function resolveEntity(capability: Capability, mapping: EntityMapping, key: KeyTuple, keep: SideName, dbs: Record<SideName, Knex>): Promise<ResolveResult> {
  const direction = directionFrom(keep);
  const other = otherSide(keep);
  await Promise.all([ensureEngineTables(dbs.monolith), ensureEngineTables(dbs.service)]);
  const bases = baseStore(capability.name);
  const ctx: ApplyContext = { capability, direction, source: dbs[keep], target: dbs[other], bases, quarantine: new QuarantineStore(capability.name, direction), quarantineMaybeOpen: true };
  const rows = await sideOf(mapping, keep).readKeys(dbs[keep], [key]);
  const prepared = await prepareWork(ctx, [{ mapping, rows, deleted: rows.length ? [] : [key] }]);
  // Only the entity itself: a parent it needs must be resolved (or synced) first.
  prepared.byMapping = new Map([[mapping.name, { mapping, rows: (prepared.byMapping.get(mapping.name)?.rows ?? []).filter((row) => !row.pulledIn) }]]);
  const row = prepared.byMapping.get(mapping.name)?.rows[0];
  if (!row) throw new DataCommandError(`${mapping.name} ${keyText(key)}: nothing to resolve`);
  if (row.invalid !== undefined) throw new DataCommandError(`${mapping.name} ${keyText(key)} on the ${keep} cannot be carried as it is (${row.invalid}): correct it there first`);
  const result = await engineTransaction(dbs[other], async (trx) => {
    const open = await ctx.quarantine.openFor(trx, [{ mapping: mapping.name, key }], { lock: true });
    const entry = open.get(entityId(mapping.name, keyText(key)));
    const applied = await applyPrepared(ctx, trx, prepared, { force: true });
    if (entry) await ctx.quarantine.resolve(trx, [entry.id], `operator kept the ${keep}'s version`);
    return { applied, closed: entry ? 1 : 0 };
  });
  // The kept side holds that version too: its base there, and its own direction's entry closed.
  const reverse = new QuarantineStore(capability.name, directionFrom(other));
  const closedThere = await engineTransaction(dbs[keep], async (trx) => {
    await bases.write(trx, mapping.name, [{ key, state: row.hash === ABSENT ? TOMBSTONE : (row.hash as string) }]);
    const open = await reverse.openFor(trx, [{ mapping: mapping.name, key }], { lock: true });
    const entry = open.get(entityId(mapping.name, keyText(key)));
    if (entry) await reverse.resolve(trx, [entry.id], `operator kept the ${keep}'s version`);
    return entry ? 1 : 0;
  });
  const counts = result.applied.counts;
  const outcome = counts.inserted ? 'inserted' : counts.updated ? 'updated' : counts.deleted ? 'deleted' : 'unchanged';
  return { mapping: mapping.name, key, kept: keep, outcome, closed: result.closed + closedThere };
}
