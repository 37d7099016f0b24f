import type { Knex } from 'knex';
import { applyPrepared } from '../apply/apply-prepared';
import { addCounts, emptyCounts, type ApplyContext, type ApplyResult, type PreparedRow, type PreparedWork } from '../apply/apply-types';
import { reasons } from '../apply/quarantine-reasons';
import { engineTransaction } from '../engine-transaction';
import { EntityError, describeError, isDataError } from '../errors/entity-errors';
import type { EntityMapping } from '../mapping';
import type { QuarantineItem, QuarantineKind } from '../quarantine/quarantine-store';
import { targetOf } from '../types';

/** Kinds a backfill stops at unless told to set them aside (`--quarantine`): the row itself is bad. */
const BAD_ROW_KINDS: ReadonlySet<QuarantineKind> = new Set(['invalid-source', 'unreadable-target', 'refused-by-target']);

export interface ChunkOptions {
  /** Set bad rows aside in the quarantine and go on (otherwise stop at the first, naming it). */
  quarantine: boolean;
  /** Written in the transaction of the chunk's last write. */
  checkpoint: (trx: Knex.Transaction, result: ApplyResult) => Promise<void>;
}

/** Stops the chunk's transaction at a bad row when it is not to be set aside. */
class BadRowError extends EntityError {}

function refuseBadRows(result: ApplyResult, options: ChunkOptions): void {
  if (options.quarantine) return;
  const bad = result.quarantined.find((item) => BAD_ROW_KINDS.has(item.kind));
  if (bad) throw new BadRowError(bad.mapping, bad.key, new Error(`${bad.reason} (--quarantine sets such rows aside and goes on)`));
}

const mergeResults = (into: ApplyResult, more: ApplyResult): ApplyResult => {
  addCounts(into.counts, more.counts);
  for (const [name, counts] of more.byMapping) into.byMapping.set(name, addCounts(into.byMapping.get(name) ?? emptyCounts(), counts));
  into.quarantined.push(...more.quarantined);
  into.resolved += more.resolved;
  return into;
};

/** The same work with only some of `mapping`'s own rows (parents pulled in stay: applying them twice is a no-op). */
function subset(prepared: PreparedWork, mapping: EntityMapping, rows: readonly PreparedRow[]): PreparedWork {
  const byMapping = new Map(prepared.byMapping);
  const own = prepared.byMapping.get(mapping.name);
  byMapping.set(mapping.name, { mapping, rows: [...rows, ...(own?.rows.filter((row) => row.pulledIn) ?? [])] });
  return { byMapping };
}

/**
 * Writes one backfill chunk in one engine transaction with its checkpoint. When the database
 * refuses it (a constraint the transforms do not know), the chunk is split in halves until the
 * rows at fault are found: each is set aside (`quarantine`) or stops the backfill, named, with the
 * database's own sentence rather than the whole statement.
 */
export async function writeChunk(ctx: ApplyContext, mapping: EntityMapping, prepared: PreparedWork, options: ChunkOptions): Promise<ApplyResult> {
  try {
    return await engineTransaction(ctx.target, async (trx) => {
      const result = await applyPrepared(ctx, trx, prepared, { honourTombstones: true });
      refuseBadRows(result, options);
      await options.checkpoint(trx, result);
      return result;
    });
  } catch (error) {
    if (error instanceof BadRowError || !isDataError(error)) throw error;
  }
  const own = (prepared.byMapping.get(mapping.name)?.rows ?? []).filter((row) => !row.pulledIn);
  const result: ApplyResult = { counts: emptyCounts(), byMapping: new Map(), quarantined: [], resolved: 0 };
  await writeIsolating(ctx, mapping, prepared, own, options, result);
  await engineTransaction(ctx.target, (trx) => options.checkpoint(trx, result));
  return result;
}

async function writeIsolating(ctx: ApplyContext, mapping: EntityMapping, prepared: PreparedWork, rows: readonly PreparedRow[], options: ChunkOptions, result: ApplyResult): Promise<void> {
  try {
    const applied = await engineTransaction(ctx.target, async (trx) => {
      const part = await applyPrepared(ctx, trx, subset(prepared, mapping, rows), { honourTombstones: true });
      refuseBadRows(part, options);
      return part;
    });
    mergeResults(result, applied);
    return;
  } catch (error) {
    if (error instanceof BadRowError || !isDataError(error)) throw error;
    if (rows.length === 1) {
      const row = rows[0] as PreparedRow;
      if (!options.quarantine) throw new BadRowError(mapping.name, row.key, new Error(`${reasons.refused(targetOf(ctx.direction), describeError(error))} (--quarantine sets such rows aside and goes on)`));
      mergeResults(result, await setAside(ctx, mapping, row, 'refused-by-target', reasons.refused(targetOf(ctx.direction), describeError(error))));
      return;
    }
  }
  const half = Math.ceil(rows.length / 2);
  await writeIsolating(ctx, mapping, prepared, rows.slice(0, half), options, result);
  await writeIsolating(ctx, mapping, prepared, rows.slice(half), options, result);
}

async function setAside(ctx: ApplyContext, mapping: EntityMapping, row: PreparedRow, kind: QuarantineKind, reason: string): Promise<ApplyResult> {
  const item: QuarantineItem = { mapping: mapping.name, key: row.key, kind, reason, source: row.canonical ?? row.source, target: null };
  await engineTransaction(ctx.target, async (trx) => {
    const open = await ctx.quarantine.openFor(trx, [item], { lock: true });
    await ctx.quarantine.record(trx, [item], open);
  });
  const counts = { ...emptyCounts(), quarantined: 1 };
  return { counts: { ...counts }, byMapping: new Map([[mapping.name, counts]]), quarantined: [item], resolved: 0 };
}
