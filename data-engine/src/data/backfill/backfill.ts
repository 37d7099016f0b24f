import type { Knex } from 'knex';
import type { Logger } from '@strangler/kit';
import { applyPrepared } from '../apply/apply-prepared';
import { addCounts, emptyCounts, type ApplyContext, type ApplyCounts, type PreparedWork } from '../apply/apply-types';
import { prepareWork } from '../apply/prepare-work';
import { baseStore } from '../bases/entity-bases';
import type { Capability } from '../capabilities/capability';
import { ensureEngineTables, readCheckpoint, writeCheckpoint } from '../engine-tables';
import { engineTransaction } from '../engine-transaction';
import { FlowControl } from '../flow-control';
import { sideOf, type EntityMapping } from '../mapping';
import { silentProgress, type ProgressReporter } from '../progress/progress-reporter';
import { QuarantineStore, type QuarantineItem } from '../quarantine/quarantine-store';
import { sourceOf, type Direction, type KeyTuple, type Row, type SideName } from '../types';
import { ChunkSizer } from './chunk-sizer';
import { writeChunk } from './chunk-writer';

export interface BackfillOptions {
  capability: Capability;
  direction: Direction;
  source: Knex;
  target: Knex;
  /** Only these mappings (default: all, parents first). */
  mappings?: readonly string[];
  /** Read, transform and compare everything; write nothing (not even checkpoints). */
  dryRun?: boolean;
  /** Ignore checkpoints and copy from the start again. */
  restart?: boolean;
  initialChunkSize?: number;
  minChunkSize?: number;
  maxChunkSize?: number;
  /** The chunk size adapts toward this much time per chunk. */
  targetChunkMs?: number;
  /** Set rows that cannot be carried aside in the quarantine and go on (default: stop at the first, naming it). */
  quarantine?: boolean;
  /** @deprecated ignored: conflicts are no longer decided by a side (docs/decisions/0022). */
  authority?: SideName;
  control?: FlowControl;
  progress?: ProgressReporter;
  logger?: Logger;
}

export interface BackfillCheckpoint {
  after: KeyTuple | null;
  rows: number;
  done: boolean;
  counts: ApplyCounts;
  startedAt: number;
  finishedAt: number | null;
}

export interface MappingBackfillReport {
  mapping: string;
  status: 'done' | 'already-done' | 'stopped';
  resumedAfter: KeyTuple | null;
  /** Rows read from the source in this run. */
  rows: number;
  /** Rows copied over every run so far (from the checkpoint). */
  totalRows: number;
  counts: ApplyCounts;
  /** Rows set aside in this run (first 20), with why: `data quarantine list` has them all. */
  quarantined: Array<Pick<QuarantineItem, 'key' | 'kind' | 'reason'>>;
  chunks: number;
  durationMs: number;
  rowsPerSecond: number;
}

export interface BackfillReport {
  capability: string;
  direction: Direction;
  dryRun: boolean;
  stopped: boolean;
  rows: number;
  durationMs: number;
  rowsPerSecond: number;
  mappings: MappingBackfillReport[];
}

export const backfillCheckpointName = (capability: string, direction: Direction, mapping: string) => `backfill:${capability}:${direction}:${mapping}`;

/**
 * Copies every entity of the capability from the source side to the target, mapping by mapping
 * (parents first), in keyset-paged chunks. Each chunk is applied under the three-way rule
 * (conflict-rule.ts) with its bases and its checkpoint (the last key done) in the same target
 * transaction, so a crash at any point resumes after the last committed chunk, and re-copying a
 * chunk is harmless. The next chunk is read while the current one is written, and a row is written
 * only if the source still holds what was read (a row changed or deleted meanwhile — while paused,
 * say — is the sync's); an entity whose delete was carried is never brought back. Rows written
 * while it runs are the sync's business: install change capture first.
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillReport> {
  const started = Date.now();
  const control = options.control ?? new FlowControl();
  const selected = options.capability.mappings.filter((mapping) => !options.mappings || options.mappings.includes(mapping.name));
  if (!options.dryRun) {
    await ensureEngineTables(options.target);
    await ensureEngineTables(options.source);
  }
  const reports: MappingBackfillReport[] = [];
  for (const mapping of selected) {
    if (control.stopping) break;
    reports.push(await backfillMapping(options, mapping, control));
  }
  const rows = reports.reduce((sum, report) => sum + report.rows, 0);
  const durationMs = Date.now() - started;
  return {
    capability: options.capability.name,
    direction: options.direction,
    dryRun: options.dryRun ?? false,
    stopped: control.stopping || reports.some((report) => report.status === 'stopped'),
    rows,
    durationMs,
    rowsPerSecond: durationMs > 0 ? Math.round((rows * 1000) / durationMs) : rows,
    mappings: reports,
  };
}

async function backfillMapping(options: BackfillOptions, mapping: EntityMapping, control: FlowControl): Promise<MappingBackfillReport> {
  const started = Date.now();
  const { capability, direction, dryRun = false } = options;
  const progress = options.progress ?? silentProgress;
  const name = backfillCheckpointName(capability.name, direction, mapping.name);
  const quarantine = new QuarantineStore(capability.name, direction);
  const ctx: ApplyContext = {
    capability,
    direction,
    source: options.source,
    target: options.target,
    bases: baseStore(capability.name),
    quarantine,
    quarantineMaybeOpen: !dryRun && (await quarantine.openCount(options.target)) > 0,
  };
  const source = sideOf(mapping, sourceOf(direction));
  const saved = dryRun || options.restart ? undefined : (await readCheckpoint<BackfillCheckpoint>(options.target, name))?.state;
  const report: MappingBackfillReport = {
    mapping: mapping.name,
    status: 'done',
    resumedAfter: saved?.after ?? null,
    rows: 0,
    totalRows: saved?.rows ?? 0,
    counts: emptyCounts(),
    quarantined: [],
    chunks: 0,
    durationMs: 0,
    rowsPerSecond: 0,
  };
  const finish = (status: MappingBackfillReport['status']) => {
    report.status = status;
    report.durationMs = Date.now() - started;
    report.rowsPerSecond = report.durationMs > 0 ? Math.round((report.rows * 1000) / report.durationMs) : report.rows;
    return report;
  };
  if (saved?.done) return finish('already-done');

  const total = await source.count(options.source);
  const task = `${capability.name}/${mapping.name} ${direction}${dryRun ? ' (dry run)' : ''}`;
  const sizer = new ChunkSizer({
    initial: options.initialChunkSize ?? 1_000,
    min: options.minChunkSize ?? 50,
    max: options.maxChunkSize ?? 10_000,
    targetMs: options.targetChunkMs ?? 500,
  });
  const checkpoint: BackfillCheckpoint = {
    after: saved?.after ?? null,
    rows: saved?.rows ?? 0,
    done: false,
    counts: addCounts(emptyCounts(), saved?.counts ?? {}),
    startedAt: saved?.startedAt ?? started,
    finishedAt: null,
  };
  /** Reads a chunk and prepares it (transforms), so the next one is ready while this one is written. */
  interface Fetched {
    rows: Row[];
    limit: number;
    last: KeyTuple | null;
    prepared: PreparedWork | undefined;
  }
  const fetch = (after: KeyTuple | null, limit: number): Promise<Fetched> => {
    const page = source.readRange(options.source, { after: after ?? undefined }, limit).then(async (rows) => {
      if (rows.length === 0) return { rows, limit, last: null, prepared: undefined };
      const last = source.keyOf(rows[rows.length - 1] as Row);
      const prepared = await prepareWork(ctx, [{ mapping, rows, deleted: [], range: { after: after ?? undefined, through: last } }]);
      return { rows, limit, last, prepared };
    });
    page.catch(() => undefined); // handled where awaited; a prefetch abandoned on stop must not crash the process
    return page;
  };

  // One chunk is written at a time; the next is read and transformed meanwhile. (Two concurrent
  // writers gained nothing measurable here: both append to the tail of the same primary key.)
  let next: Promise<Fetched> | undefined = fetch(checkpoint.after, sizer.size);
  while (next) {
    await control.waitWhilePaused(
      () => progress.update({ task, done: checkpoint.rows, total, paused: true }),
      () => options.logger?.info({ task }, 'resumed'),
    );
    if (control.stopping) break;
    const started = Date.now();
    const { rows, limit, last, prepared }: Fetched = await next;
    if (rows.length === 0 || !last || !prepared) break;
    // A short page was the last one; otherwise fetch the next while this one is written.
    next = rows.length < limit ? undefined : fetch(last, sizer.size);
    const isLast = !next;
    const result = dryRun
      ? await applyPrepared(ctx, options.target, prepared, { dryRun: true, honourTombstones: true })
      : await writeChunk(ctx, mapping, prepared, {
          quarantine: options.quarantine ?? false,
          checkpoint: (trx, applied) =>
            writeCheckpoint(trx, name, {
              ...checkpoint,
              after: last,
              rows: checkpoint.rows + rows.length,
              counts: addCounts(addCounts(emptyCounts(), checkpoint.counts), applied.counts),
              done: isLast,
              finishedAt: isLast ? Date.now() : null,
            } satisfies BackfillCheckpoint),
        });
    if (result.quarantined.some((item) => item.resolution === undefined)) ctx.quarantineMaybeOpen = true;
    for (const item of result.quarantined) {
      if (report.quarantined.length < 20 && item.resolution === undefined) report.quarantined.push({ key: item.key, kind: item.kind, reason: item.reason });
    }
    checkpoint.after = last;
    checkpoint.rows += rows.length;
    checkpoint.done = isLast && !dryRun;
    addCounts(checkpoint.counts, result.counts);
    addCounts(report.counts, result.counts);
    report.rows += rows.length;
    report.chunks += 1;
    report.totalRows = checkpoint.rows;
    sizer.record(rows.length, Date.now() - started);
    progress.update({ task, done: checkpoint.rows, total: Math.max(total, checkpoint.rows), chunkSize: sizer.size });
    await control.throttle(rows.length);
  }
  if (control.stopping && !checkpoint.done) return finish('stopped');
  if (!dryRun && !checkpoint.done) {
    // The source was empty past the checkpoint (or ended on a full page): record completion.
    checkpoint.done = true;
    checkpoint.finishedAt = Date.now();
    await engineTransaction(options.target, (trx) => writeCheckpoint(trx, name, checkpoint));
  }
  const c = report.counts;
  const summary = `${report.rows.toLocaleString('en-US')} rows in ${((Date.now() - started) / 1000).toFixed(1)}s (inserted ${c.inserted}, updated ${c.updated}, unchanged ${c.unchanged}, kept ${c.kept}, moved ${c.moved}, quarantined ${c.quarantined})`;
  progress.finish({ task, done: checkpoint.rows, total: Math.max(total, checkpoint.rows) }, summary);
  return finish('done');
}
