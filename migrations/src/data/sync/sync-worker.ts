import type { Knex } from 'knex';
import type { Logger } from '@strangler/kit';
import { applyPrepared, emptyCounts, addCounts, prepareWork, EntityError, type ApplyContext, type ApplyCounts, type MappingWork } from '../apply-entities';
import type { Capability } from '../capabilities/capability';
import { changelogTable } from '../capture/trigger-ddl';
import { ChangelogChangeSource } from '../capture/changelog-change-source';
import type { CapturedChange, ChangeSource } from '../capture/change-source';
import { ensureEngineTables, readCheckpoint, writeCheckpoint } from '../engine-tables';
import { engineTransaction } from '../engine-transaction';
import { FlowControl } from '../flow-control';
import { keyText } from '../keys';
import { sideOf } from '../mapping';
import { sourceOf, type Direction, type SideName } from '../types';
import type { SyncMetrics } from './sync-metrics';

export interface SyncWorkerOptions {
  capability: Capability;
  direction: Direction;
  source: Knex;
  target: Knex;
  /** Default: the trigger-fed changelog in the source database. */
  changeSource?: ChangeSource;
  /** Wins ties under the conflict rule; every worker of a capability must be given the same. */
  authority?: SideName;
  batchSize?: number;
  /** Idle wait between polls when caught up. */
  pollMs?: number;
  logger?: Logger;
  metrics?: SyncMetrics;
  control?: FlowControl;
  /** Called after each committed batch (benchmarks measure lag with it). */
  onApplied?: (changes: readonly CapturedChange[], committedAt: number) => void;
}

export interface SyncCheckpoint {
  position: unknown;
  appliedChanges: number;
  counts: ApplyCounts;
  authority: SideName;
  appliedAt: number;
}

export const syncCheckpointName = (capability: string, direction: Direction) => `sync:${capability}:${direction}`;

const MAX_BACKOFF_MS = 60_000;

/**
 * Applies captured changes of one capability in one direction: re-reads each changed entity's
 * current source row by key (a missing row propagates as a delete), transforms it, and upserts it
 * under the conflict rule, with the checkpoint in the same target transaction. Its own writes are
 * never captured (engineTransaction), so the opposite worker can run at the same time. When the
 * target's version wins a conflict, the entity is re-announced in the target's changelog (if it
 * has one) so the opposite worker carries the winner back and both sides converge.
 */
export class SyncWorker {
  readonly name: string;
  private readonly source: ChangeSource;
  private readonly ctx: ApplyContext;
  private readonly control: FlowControl;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly labels: { capability: string; direction: Direction };
  private checkpoint: SyncCheckpoint;
  private readonly failures = new Map<string, number>();
  private loop: Promise<void> | undefined;
  private lastPendingCount = 0;
  private stopCollecting: (() => void) | undefined;
  private lastPendingCountAt = 0;
  /** Time of the last successful poll (readiness). */
  lastPollAt = 0;

  constructor(private readonly options: SyncWorkerOptions) {
    const authority = options.authority ?? 'monolith';
    this.name = syncCheckpointName(options.capability.name, options.direction);
    this.ctx = { capability: options.capability, direction: options.direction, source: options.source, target: options.target, authority };
    this.source = options.changeSource ?? new ChangelogChangeSource(options.source, options.capability.name, options.capability.mappings.map((m) => m.name));
    this.control = options.control ?? new FlowControl();
    this.batchSize = options.batchSize ?? 500;
    this.pollMs = options.pollMs ?? 50;
    this.labels = { capability: options.capability.name, direction: options.direction };
    this.checkpoint = { position: null, appliedChanges: 0, counts: emptyCounts(), authority, appliedAt: 0 };
  }

  /** Creates the engine tables on the target and resumes the source from the target's checkpoint. */
  async start(): Promise<void> {
    this.stopCollecting ??= this.options.metrics?.onCollect(() => this.updateLag());
    await ensureEngineTables(this.options.target);
    const saved = await readCheckpoint<SyncCheckpoint>(this.options.target, this.name);
    if (saved) this.checkpoint = { ...saved.state, authority: this.ctx.authority };
    await this.source.start(saved?.state.position);
    this.options.logger?.info({ worker: this.name, source: this.source.description, authority: this.ctx.authority, resumedAt: saved?.state.position ?? null }, 'sync worker started');
  }

  /** One batch: returns how many captured changes it consumed (0 when caught up). */
  async runOnce(): Promise<number> {
    const changes = await this.source.next(this.batchSize);
    this.lastPollAt = Date.now();
    if (changes.length === 0) {
      await this.updateLag();
      return 0;
    }
    const end = this.options.metrics?.batchSeconds.startTimer(this.labels);
    try {
      await this.applyChanges(changes);
    } catch (error) {
      // A database that went away is the poll's problem (run() backs off); otherwise find the
      // entities at fault by applying each on its own, and hold back only those that fail.
      await Promise.all([this.options.source.raw('select 1'), this.options.target.raw('select 1')]);
      const groups = groupByEntity(changes);
      if (groups.length === 1) this.fail(groups[0] as CapturedChange[], error);
      else {
        for (const group of groups) {
          try {
            await this.applyChanges(group);
          } catch (entityError) {
            this.fail(group, entityError);
          }
        }
      }
    } finally {
      end?.();
    }
    await this.updateLag();
    return changes.length;
  }

  /** Runs until stop(). Errors (a database away, say) are logged, counted and retried with backoff. */
  run(): Promise<void> {
    this.loop ??= (async () => {
      let backoff = 0;
      while (!this.control.stopping) {
        await this.control.waitWhilePaused(
          () => this.options.logger?.info({ worker: this.name }, 'paused'),
          () => this.options.logger?.info({ worker: this.name }, 'resumed'),
        );
        if (this.control.stopping) break;
        try {
          const consumed = await this.runOnce();
          backoff = 0;
          if (consumed < this.batchSize) await this.control.sleep(this.pollMs);
          await this.control.throttle(consumed);
        } catch (error) {
          backoff = Math.min(MAX_BACKOFF_MS, backoff ? backoff * 2 : 500);
          this.options.metrics?.errors.inc({ ...this.labels, mapping: '' });
          this.options.logger?.error({ worker: this.name, err: error, retryInMs: backoff }, 'sync poll failed');
          await this.control.sleep(backoff);
        }
      }
    })();
    return this.loop;
  }

  /** Applies batches until the source has nothing left (or `maxBatches`). */
  async drain(maxBatches = Number.POSITIVE_INFINITY): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const consumed = await this.runOnce();
      if (consumed === 0) break;
      total += consumed;
    }
    return total;
  }

  /** Finishes the batch in hand, then returns. */
  async stop(): Promise<void> {
    this.stopCollecting?.();
    this.control.stop();
    await this.loop;
  }

  get applied(): { changes: number; counts: ApplyCounts } {
    return { changes: this.checkpoint.appliedChanges, counts: this.checkpoint.counts };
  }

  private async applyChanges(changes: readonly CapturedChange[]): Promise<void> {
    const work = await this.readCurrentRows(changes);
    const prepared = await prepareWork(this.ctx, work);
    const next: SyncCheckpoint = { ...this.checkpoint, counts: { ...this.checkpoint.counts } };
    const result = await engineTransaction(this.options.target, async (trx) => {
      const applied = await applyPrepared(this.ctx, trx, prepared);
      if (applied.kept.length) await this.reannounce(trx, applied.kept);
      next.position = this.source.positionAfter(changes);
      next.appliedChanges = this.checkpoint.appliedChanges + changes.length;
      next.counts = addCounts({ ...this.checkpoint.counts }, applied.counts);
      next.appliedAt = Date.now();
      await writeCheckpoint(trx, this.name, next, next.appliedAt);
      return applied;
    });
    const committedAt = Date.now();
    this.checkpoint = next;
    await this.source.acknowledge(changes);
    for (const change of changes) this.failures.delete(entityId(change));
    const metrics = this.options.metrics;
    if (metrics) {
      metrics.changes.inc(this.labels, changes.length);
      for (const [mapping, counts] of result.byMapping) {
        for (const [outcome, n] of Object.entries(counts)) if (n > 0) metrics.rowsApplied.inc({ ...this.labels, mapping, outcome }, n);
      }
      for (const change of changes) metrics.applyLag.observe(this.labels, Math.max(0, committedAt - change.capturedAt) / 1000);
    }
    this.options.onApplied?.(changes, committedAt);
  }

  /** The current source row of every changed entity; entities the source no longer has are deletes. */
  private async readCurrentRows(changes: readonly CapturedChange[]): Promise<MappingWork[]> {
    const work: MappingWork[] = [];
    for (const mapping of this.options.capability.mappings) {
      const keys = new Map(changes.filter((change) => change.mapping === mapping.name).map((change) => [keyText(change.key), change.key]));
      if (keys.size === 0) continue;
      const side = sideOf(mapping, sourceOf(this.options.direction));
      const rows = await side.readKeys(this.options.source, [...keys.values()]);
      for (const row of rows) keys.delete(keyText(side.keyOf(row)));
      work.push({ mapping, rows, deleted: [...keys.values()] });
    }
    const unknown = changes.find((change) => !this.options.capability.mappings.some((mapping) => mapping.name === change.mapping));
    if (unknown) throw new EntityError(unknown.mapping, unknown.key, new Error('no such mapping in this capability'));
    return work;
  }

  /** The target kept its own version: announce it in the target's changelog for the other direction. */
  private async reannounce(trx: Knex.Transaction, kept: ReadonlyArray<{ mapping: string; key: readonly string[] }>): Promise<void> {
    const table = changelogTable(this.options.capability.name);
    if (!(await trx.schema.hasTable(table))) return;
    const now = Date.now();
    await trx(table).insert(kept.map((entity) => ({ mapping: entity.mapping, entity_key: JSON.stringify(entity.key), op: 'U', captured_at: now })));
  }

  private fail(group: readonly CapturedChange[], error: unknown): void {
    const first = group[0] as CapturedChange;
    const id = entityId(first);
    const attempts = (this.failures.get(id) ?? 0) + 1;
    this.failures.set(id, attempts);
    const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** (attempts - 1));
    this.source.retryLater(group, delay);
    this.options.metrics?.errors.inc({ ...this.labels, mapping: first.mapping });
    this.options.logger?.error(
      { worker: this.name, mapping: first.mapping, key: first.key, attempts, retryInMs: delay, err: error },
      'change could not be applied; it stays captured and will be retried',
    );
  }

  private async updateLag(): Promise<void> {
    const metrics = this.options.metrics;
    if (!metrics) return;
    const oldest = await this.source.oldestPendingAt();
    metrics.lag.set(this.labels, oldest === null ? 0 : Math.max(0, Date.now() - oldest) / 1000);
    if (oldest === null) this.lastPendingCount = 0;
    else if (Date.now() - this.lastPendingCountAt > 5_000 || this.lastPendingCount === 0) {
      // A count scans the backlog: every few seconds is enough for a gauge.
      this.lastPendingCount = await this.source.pendingCount();
      this.lastPendingCountAt = Date.now();
    }
    metrics.pending.set(this.labels, this.lastPendingCount);
  }
}

const entityId = (change: CapturedChange) => `${change.mapping}:${keyText(change.key)}`;

function groupByEntity(changes: readonly CapturedChange[]): CapturedChange[][] {
  const groups = new Map<string, CapturedChange[]>();
  for (const change of changes) {
    const id = entityId(change);
    const group = groups.get(id);
    if (group) group.push(change);
    else groups.set(id, [change]);
  }
  return [...groups.values()];
}
