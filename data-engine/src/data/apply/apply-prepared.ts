import type { Knex } from 'knex';
import type { CanonicalRow } from '../canonical';
import { ABSENT, decide, TOMBSTONE, type StateHash } from '../conflict-rule';
import { describeError } from '../errors/entity-errors';
import { keyText } from '../keys';
import { sideOf, type EntityMapping } from '../mapping';
import { entityId, type OpenEntry, type QuarantineItem } from '../quarantine/quarantine-store';
import { sourceOf, targetOf, type KeyTuple, type Row, type SideName } from '../types';
import { addCounts, emptyCounts, type ApplyContext, type ApplyCounts, type ApplyResult, type PreparedMapping, type PreparedRow, type PreparedWork } from './apply-types';
import { stateHash } from './prepare-work';
import { reasons } from './quarantine-reasons';
import { sameRow } from './same-row';

export interface ApplyOptions {
  /** Decide only: no locks, no writes, no re-read of the source. */
  dryRun?: boolean;
  /** Never bring back an entity whose delete was carried to the target (the backfill's rows). */
  honourTombstones?: boolean;
  /** An operator's decision (`quarantine resolve --keep`): carry the source's version whatever the target holds. */
  force?: boolean;
}

/** The target's side of one entity: its row, read in canonical form, or why it cannot be. */
interface TargetState {
  hash: StateHash;
  row?: Row;
  canonical?: CanonicalRow;
  unreadable?: string;
}

type Action = 'insert' | 'update' | 'delete' | 'none';
type Outcome = Exclude<keyof ApplyCounts, 'conflicts' | 'pulledIn'>;

interface Plan {
  row: PreparedRow;
  target: TargetState;
  action: Action;
  outcome: Outcome;
  /** The base to record on the target (it now holds, or already held, this state). */
  base?: string;
  conflict?: boolean;
  quarantine?: QuarantineItem;
}

const UNREADABLE = 'unreadable';

function targetState(mapping: EntityMapping, side: SideName, row: Row | undefined): TargetState {
  if (!row) return { hash: ABSENT };
  try {
    const canonical = mapping.canonical(side, row);
    return { hash: stateHash(canonical), row, canonical };
  } catch (error) {
    return { hash: UNREADABLE, row, unreadable: describeError(error) };
  }
}

/**
 * The source's state now, re-read inside the target transaction: a row written only if it is still
 * what was read. A row read back with the same values keeps the hash prepared for it (sameRow);
 * only one that changed is put in canonical form and hashed again.
 */
async function currentSourceStates(ctx: ApplyContext, work: PreparedMapping, prepared: readonly PreparedRow[]): Promise<Map<string, StateHash>> {
  const sourceName = sourceOf(ctx.direction);
  const side = sideOf(work.mapping, sourceName);
  const rows = work.range ? await side.readRange(ctx.source, work.range) : await side.readKeys(ctx.source, prepared.map((row) => row.key));
  const byKey = new Map(prepared.map((row) => [keyText(row.key), row]));
  return new Map(
    rows.map((row) => {
      const text = keyText(side.keyOf(row));
      const read = byKey.get(text);
      const unchanged = read?.hash !== undefined && read.source !== null && sameRow(read.source, row);
      return [text, unchanged ? (read.hash as StateHash) : targetState(work.mapping, sourceName, row).hash];
    }),
  );
}

class Planner {
  readonly plans = new Map<string, Plan[]>();
  constructor(
    private readonly ctx: ApplyContext,
    private readonly db: Knex,
    private readonly options: ApplyOptions,
  ) {}

  private get names() {
    return { source: sourceOf(this.ctx.direction), target: targetOf(this.ctx.direction) };
  }

  async planMapping(work: PreparedMapping): Promise<void> {
    const { mapping } = work;
    const lock = !this.options.dryRun;
    const side = sideOf(mapping, this.names.target);
    const rows = uniqueByKey(work.rows);
    const keys = rows.map((row) => row.key);
    const targetRows = work.range ? await side.readRange(this.db, work.range, undefined, { lock }) : await side.readKeys(this.db, keys, { lock });
    const current = new Map(targetRows.map((row) => [keyText(side.keyOf(row)), row]));
    const contiguous = work.range !== undefined;
    const targetBases = await this.ctx.bases.read(this.db, mapping.name, keys, { lock, contiguous });
    // After the target's locks: a base the other direction wrote on the source is seen together with
    // the row it wrote there by the re-read below.
    const sourceBases = await this.ctx.bases.read(this.ctx.source, mapping.name, keys, { contiguous });
    const now = this.options.dryRun ? undefined : await currentSourceStates(this.ctx, work, rows);
    this.plans.set(
      mapping.name,
      rows.map((row) => {
        const text = keyText(row.key);
        const target = targetState(mapping, this.names.target, current.get(text));
        return this.plan(mapping, row, target, { target: targetBases.get(text), source: sourceBases.get(text) }, now ? (now.get(text) ?? ABSENT) : undefined);
      }),
    );
  }

  private plan(mapping: EntityMapping, row: PreparedRow, target: TargetState, bases: { target: string | undefined; source: string | undefined }, sourceNow: StateHash | undefined): Plan {
    const { source: sourceName, target: targetName } = this.names;
    const item = (kind: QuarantineItem['kind'], reason: string, extra: Partial<QuarantineItem> = {}): QuarantineItem => ({
      mapping: mapping.name,
      key: row.key,
      kind,
      reason,
      source: row.canonical ?? row.source,
      target: target.canonical ?? target.row ?? null,
      ...extra,
    });
    if (row.invalid !== undefined) {
      return { row, target, action: 'none', outcome: 'quarantined', quarantine: item('invalid-source', reasons.invalidSource(sourceName, targetName, row.invalid)) };
    }
    if (sourceNow !== undefined && sourceNow !== row.hash) return { row, target, action: 'none', outcome: 'moved' };
    const source = row.hash as StateHash;
    const carry = (outcome?: Outcome): Plan => {
      const action: Action = source === ABSENT ? (target.hash === ABSENT ? 'none' : 'delete') : target.hash === ABSENT ? 'insert' : 'update';
      return { row, target, action, outcome: outcome ?? (action === 'delete' ? 'deleted' : action === 'insert' ? 'inserted' : action === 'none' ? 'unchanged' : 'updated'), base: source === ABSENT ? TOMBSTONE : source };
    };
    if (this.options.force) return carry();
    if (target.unreadable !== undefined) {
      return { row, target, action: 'none', outcome: 'quarantined', quarantine: item('unreadable-target', reasons.unreadableTarget(targetName, target.unreadable)) };
    }
    const decision = decide({ source, target: target.hash, bases, honourTombstone: this.options.honourTombstones || row.pulledIn });
    switch (decision) {
      case 'same': {
        const base = source === ABSENT ? TOMBSTONE : source;
        return { row, target, action: 'none', outcome: 'unchanged', ...(bases.target === base ? {} : { base }) };
      }
      case 'fast-forward':
        return carry();
      case 'keep':
        return { row, target, action: 'none', outcome: 'kept' };
      case 'tombstoned':
        return { row, target, action: 'none', outcome: 'tombstoned' };
      case 'conflict': {
        const verdict = mapping.resolveConflict(row.canonical ?? null, target.canonical ?? null);
        if (verdict === 'quarantine') return { row, target, action: 'none', outcome: 'quarantined', conflict: true, quarantine: item('conflict', reasons.conflict(mapping)) };
        const winner = verdict === 'a' ? sourceName : targetName;
        const settled = item('conflict', reasons.settled(mapping, winner), { resolution: `rule: ${mapping.conflictRule}: the ${winner}'s version` });
        if (verdict === 'a') return { ...carry(), conflict: true, quarantine: settled };
        return { row, target, action: 'none', outcome: 'kept', conflict: true, quarantine: settled };
      }
    }
  }

  /**
   * A child is written only where its parent will be: one the target holds and keeps, or one this
   * apply writes. Otherwise (the parent was deleted there, set aside, or refused) the child waits in
   * the quarantine instead of failing the transaction on the foreign key.
   */
  async holdOrphans(): Promise<void> {
    for (const mapping of this.ctx.capability.mappings) {
      const plans = (this.plans.get(mapping.name) ?? []).filter((plan) => plan.action === 'insert' || plan.action === 'update');
      for (const link of mapping.parents) {
        if (plans.length === 0) break;
        const parentPlans = new Map((this.plans.get(link.mapping) ?? []).map((plan) => [keyText(plan.row.key), plan]));
        const unknown = new Map<string, KeyTuple>();
        for (const plan of plans) {
          const key = link.keyOf(plan.row.canonical as CanonicalRow);
          if (!parentPlans.has(keyText(key))) unknown.set(keyText(key), key);
        }
        const parentMapping = this.ctx.capability.mappings.find((m) => m.name === link.mapping) as EntityMapping;
        const parentSide = sideOf(parentMapping, this.names.target);
        const present = unknown.size ? new Set((await parentSide.readKeys(this.db, [...unknown.values()])).map((row) => keyText(parentSide.keyOf(row)))) : new Set<string>();
        for (const plan of plans) {
          const key = link.keyOf(plan.row.canonical as CanonicalRow);
          const parent = parentPlans.get(keyText(key));
          const there = parent ? parent.action === 'insert' || parent.action === 'update' || (parent.action === 'none' && parent.target.hash !== ABSENT) : present.has(keyText(key));
          if (there) continue;
          plan.action = 'none';
          plan.outcome = 'quarantined';
          delete plan.base;
          plan.quarantine = {
            mapping: mapping.name,
            key: plan.row.key,
            kind: 'parent-missing',
            reason: reasons.parentMissing(link.mapping, key, this.names.target),
            source: plan.row.canonical ?? null,
            target: plan.target.canonical ?? null,
          };
        }
      }
    }
  }
}

function uniqueByKey(rows: readonly PreparedRow[]): PreparedRow[] {
  const seen = new Map<string, PreparedRow>();
  // A row of the work itself wins over the same entity pulled in as a parent.
  for (const row of rows) {
    const text = keyText(row.key);
    const before = seen.get(text);
    if (!before || (before.pulledIn && !row.pulledIn)) seen.set(text, row);
  }
  return [...seen.values()];
}

async function execute(ctx: ApplyContext, trx: Knex.Transaction, planner: Planner, ordered: readonly EntityMapping[]): Promise<{ recorded: Array<QuarantineItem & { fresh: boolean }>; resolved: number }> {
  const target = targetOf(ctx.direction);
  for (const mapping of [...ordered].reverse()) {
    const deletes = (planner.plans.get(mapping.name) ?? []).filter((plan) => plan.action === 'delete').map((plan) => plan.row.key);
    if (deletes.length) await sideOf(mapping, target).remove(trx, deletes);
  }
  for (const mapping of ordered) {
    const plans = planner.plans.get(mapping.name) ?? [];
    const side = sideOf(mapping, target);
    // Rows the target had are locked and upserted; rows it lacked are inserted, so one that
    // appeared meanwhile fails the transaction (retried) rather than being overwritten blindly.
    await side.write(trx, plans.filter((plan) => plan.action === 'update').map((plan) => plan.row.written as Row), 'upsert');
    await side.write(trx, plans.filter((plan) => plan.action === 'insert').map((plan) => plan.row.written as Row), 'insert');
    await ctx.bases.write(trx, mapping.name, plans.filter((plan) => plan.base !== undefined).map((plan) => ({ key: plan.row.key, state: plan.base as string })));
  }
  const all = ordered.flatMap((mapping) => (planner.plans.get(mapping.name) ?? []).map((plan) => ({ mapping: mapping.name, plan })));
  const recorded = all.filter(({ plan }) => plan.quarantine).map(({ plan }) => plan.quarantine as QuarantineItem);
  let open = new Map<string, OpenEntry>();
  if (ctx.quarantineMaybeOpen || recorded.length) {
    open = await ctx.quarantine.openFor(trx, all.map(({ mapping, plan }) => ({ mapping, key: plan.row.key })), { lock: true });
  }
  if (recorded.length) await ctx.quarantine.record(trx, recorded, open);
  const fresh = recorded.map((item) => ({ ...item, fresh: !open.has(entityId(item.mapping, keyText(item.key))) }));
  // An entity carried, found equal, or kept for the other direction is no longer a problem here.
  const settled = all
    .filter(({ plan }) => !plan.quarantine && plan.outcome !== 'moved')
    .map(({ mapping, plan }) => open.get(entityId(mapping, keyText(plan.row.key)))?.id)
    .filter((id): id is number => id !== undefined);
  if (settled.length) await ctx.quarantine.resolve(trx, settled, 'carried or found equal');
  return { recorded: fresh, resolved: settled.length };
}

/**
 * Applies prepared work to the target inside the caller's engine transaction (or, for a dry run,
 * only decides). For each entity, against the target's current (locked) row, its bases and the
 * source's row re-read now: the three-way rule (conflict-rule.ts); deletes children-first, then
 * upserts parents-first; bases and quarantine entries in the same transaction.
 */
export async function applyPrepared(ctx: ApplyContext, db: Knex, prepared: PreparedWork, options: ApplyOptions = {}): Promise<ApplyResult> {
  const ordered = ctx.capability.mappings.filter((mapping) => prepared.byMapping.has(mapping.name));
  const planner = new Planner(ctx, db, options);
  for (const mapping of ordered) await planner.planMapping(prepared.byMapping.get(mapping.name) as PreparedMapping);
  await planner.holdOrphans();
  const result: ApplyResult = { counts: emptyCounts(), byMapping: new Map(), quarantined: [], resolved: 0 };
  for (const mapping of ordered) {
    const counts = emptyCounts();
    for (const plan of planner.plans.get(mapping.name) ?? []) {
      if (plan.row.pulledIn) counts.pulledIn += 1;
      else {
        counts[plan.outcome] += 1;
        if (plan.conflict) counts.conflicts += 1;
      }
    }
    result.byMapping.set(mapping.name, counts);
    addCounts(result.counts, counts);
  }
  if (options.dryRun) {
    result.quarantined = ordered.flatMap((mapping) => (planner.plans.get(mapping.name) ?? []).flatMap((plan) => (plan.quarantine ? [plan.quarantine] : [])));
    return result;
  }
  const { recorded, resolved } = await execute(ctx, db as Knex.Transaction, planner, ordered);
  result.quarantined = recorded;
  result.resolved = resolved;
  return result;
}
