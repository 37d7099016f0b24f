import type { Knex } from 'knex';
import type { Logger } from '@strangler/kit';
import { applyPrepared } from '../apply/apply-prepared';
import { addCounts, emptyCounts, type ApplyContext, type ApplyCounts, type ApplyResult, type MappingWork } from '../apply/apply-types';
import { prepareWork } from '../apply/prepare-work';
import { reasons } from '../apply/quarantine-reasons';
import { baseStore } from '../bases/entity-bases';
import type { Capability } from '../capabilities/capability';
import { ChangelogChangeSource } from '../capture/changelog-change-source';
import type { CapturedChange, ChangeSource } from '../capture/change-source';
import { ensureEngineTables, readCheckpoint, writeCheckpoint } from '../engine-tables';
import { engineTransaction } from '../engine-transaction';
import { describeError, isDataError } from '../errors/entity-errors';
import { FlowControl } from '../flow-control';
import { keyText } from '../keys';
import { sideOf } from '../mapping';
import { QuarantineStore, type QuarantineItem, type QuarantineKind } from '../quarantine/quarantine-store';
import { sourceOf, targetOf, type Direction, type SideName } from '../types';
import type { SyncMetrics } from './sync-metrics';
import { LeaseLostError, WorkerLease, type WorkerLeaseOptions } from './worker-lease';
import { WorkerProgress } from './worker-progress';

export interface SyncWorkerOptions {
  capability: Capability;
  direction: Direction;
  /**
   * The source and target databases. The worker reads the source inside its target transactions,
   * so on SQLite (one connection per pool) they must not be shared with a worker running the other
   * direction at the same time.
   */
  source: Knex;
  target: Knex;
  /** Default: the trigger-fed changelog in the source database. */
  changeSource?: ChangeSource;
  /** @deprecated ignored: conflicts are no longer decided by a side (docs/decisions/0022). */
  authority?: SideName;
  batchSize?: number;
  /** Idle wait between polls when caught up. */
  pollMs?: number;
  /** Quarantined entities are tried again after this long, doubling per attempt up to an hour (default 30 s). */
  quarantineRetryMs?: number;
  /** A change failing alone for a reason other than its data is retried this often before it is set aside (default 3). */
  maxAttempts?: number;
  /** Not ready once it has made no progress for this long (default 30 s). */
  stallMs?: number;
  logger?: Logger;
  metrics?: SyncMetrics;
  control?: FlowControl;
  /** The lease that keeps this the only worker of its capability and direction (false: none, for tests that need two). */
  lease?: WorkerLeaseOptions | false;
  /** Called after each committed batch (benchmarks measure lag with it). */
  onApplied?: (changes: readonly CapturedChange[], committedAt: number) => void;
}

export interface SyncCheckpoint {
  position: unknown;
  appliedChanges: number;
  counts: ApplyCounts;
  appliedAt: number;
}

export const syncCheckpointName = (capability: string, direction: Direction) => `sync:${capability}:${direction}`;

const MAX_BACKOFF_MS = 60_000;
/** Quarantined entities retried are marked with this id prefix: they are not changelog entries. */
const RETRY_PREFIX = 'quarantine:';

/**
 * Applies captured changes of one capability in one direction: re-reads each changed entity's
 * current source row by key (a missing row is a delete), transforms it, and applies it under the
 * three-way rule (conflict-rule.ts), with its base and the checkpoint in the same target
 * transaction. Its own writes are never captured (engineTransaction), so the opposite worker runs
 * at the same time. What it cannot apply — a conflict with no safe rule, a row it cannot read or
 * carry, a row the target refuses — goes to the quarantine with a reason, and the rest flows on.
 */
export class SyncWorker {
  readonly name: string;
  readonly quarantine: QuarantineStore;
  private readonly source: ChangeSource;
  private readonly ctx: ApplyContext;
  private readonly control: FlowControl;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly maxAttempts: number;
  private readonly labels: { capability: string; direction: Direction };
  private checkpoint: SyncCheckpoint;
  private readonly failures = new Map<string, number>();
  private loop: Promise<void> | undefined;
  private lastPendingCount = 0;
  private lastPendingCountAt = 0;
  private nextQuarantineCheck = 0;
  private stopCollecting: Array<() => void> = [];
  readonly progress: WorkerProgress;
  private lease: WorkerLease | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private leaseLost: LeaseLostError | undefined;

  constructor(private readonly options: SyncWorkerOptions) {
    this.name = syncCheckpointName(options.capability.name, options.direction);
    this.quarantine = new QuarantineStore(options.capability.name, options.direction, options.quarantineRetryMs);
    this.ctx = {
      capability: options.capability,
      direction: options.direction,
      source: options.source,
      target: options.target,
      bases: baseStore(options.capability.name),
      quarantine: this.quarantine,
      quarantineMaybeOpen: true,
    };
    this.source = options.changeSource ?? new ChangelogChangeSource(options.source, options.capability.name, options.capability.mappings.map((m) => m.name));
    this.control = options.control ?? new FlowControl();
    this.batchSize = options.batchSize ?? 500;
    this.pollMs = options.pollMs ?? 50;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.labels = { capability: options.capability.name, direction: options.direction };
    this.checkpoint = { position: null, appliedChanges: 0, counts: emptyCounts(), appliedAt: 0 };
    this.progress = new WorkerProgress(options.stallMs ?? 30_000, () => this.control.paused);
  }

  /** Creates the engine tables (target and source: bases are read on both) and resumes from the target's checkpoint. */
  async start(): Promise<void> {
    if (this.stopCollecting.length === 0 && this.options.metrics) {
      this.stopCollecting.push(this.options.metrics.onCollect(() => this.updateLag()), this.options.metrics.onCollect(() => this.updateQuarantineGauge()));
    }
    await ensureEngineTables(this.options.target);
    await ensureEngineTables(this.options.source);
    await this.takeLease();
    const saved = await readCheckpoint<SyncCheckpoint>(this.options.target, this.name);
    if (saved) this.checkpoint = { ...saved.state, counts: addCounts(emptyCounts(), saved.state.counts) };
    await this.source.start(saved?.state.position);
    this.ctx.quarantineMaybeOpen = (await this.quarantine.openCount(this.options.target)) > 0;
    this.progress.started();
    this.options.logger?.info({ worker: this.name, source: this.source.description, resumedAt: saved?.state.position ?? null }, 'sync worker started');
  }

  /** Becomes the one worker of its capability and direction (LeaseHeldError when another runs), and keeps it renewed. */
  private async takeLease(): Promise<void> {
    if (this.options.lease === false || this.lease) return;
    const lease = new WorkerLease(this.options.target, this.name, this.options.lease ?? {});
    await lease.acquire();
    this.lease = lease;
    this.leaseTimer = setInterval(() => {
      lease.keepAlive().catch((error: unknown) => {
        if (error instanceof LeaseLostError) this.leaseLost = error;
        // A database away now and then is the poll's business; the lease lasts its TTL.
      });
    }, 1_000);
    this.leaseTimer.unref();
  }

  /** One batch: returns how many captured changes it consumed (0 when caught up). */
  async runOnce(): Promise<number> {
    if (this.leaseLost) throw this.leaseLost;
    const changes = [...(await this.dueQuarantined()), ...(await this.source.next(this.batchSize))];
    if (changes.length === 0) {
      this.progress.caughtUp();
      await this.updateLag();
      return 0;
    }
    const end = this.options.metrics?.batchSeconds.startTimer(this.labels);
    try {
      await this.applyChanges(changes);
    } catch (error) {
      if (error instanceof LeaseLostError) throw error; // nothing to find at fault: stop
      // A database that went away is the poll's problem (run() backs off); otherwise find the
      // entities at fault by applying each on its own, and set aside only those that fail.
      await Promise.all([this.options.source.raw('select 1'), this.options.target.raw('select 1')]);
      const groups = groupByEntity(changes);
      const failures: Array<[CapturedChange[], unknown]> = [];
      for (const group of groups) {
        try {
          await (groups.length === 1 ? Promise.reject(error instanceof Error ? error : new Error(String(error))) : this.applyChanges(group));
        } catch (entityError) {
          // A parent pulled in for it may be what the target refused (a user whose email another
          // holds): without it, the entity waits in the quarantine for its parent instead.
          const alone = isDataError(entityError) ? await this.applyChanges(group, { pullParents: false }).then(() => true, () => false) : false;
          if (!alone) failures.push([group, entityError]);
        }
      }
      // Every entity failing, and not for its data (a lock held for long, a table gone): the
      // worker's problem, not the rows' — nothing is set aside, the poll fails and backs off.
      if (groups.length > 1 && failures.length === groups.length && failures.every(([, e]) => !isDataError(e))) throw error;
      for (const [group, entityError] of failures) await this.failed(group, entityError);
    } finally {
      end?.();
    }
    await this.updateLag();
    return changes.filter((change) => !isRetry(change)).length;
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
          if (error instanceof LeaseLostError) {
            // Another worker runs this now: applying more would share its checkpoint.
            this.progress.failed(error.message);
            this.options.logger?.error({ worker: this.name }, error.message);
            break;
          }
          backoff = Math.min(MAX_BACKOFF_MS, backoff ? backoff * 2 : 500);
          this.progress.failed(describeError(error));
          this.options.metrics?.errors.inc({ ...this.labels, mapping: '' });
          this.options.logger?.error({ worker: this.name, err: error, retryInMs: backoff }, 'sync poll failed');
          await this.control.sleep(backoff);
        }
      }
    })();
    return this.loop;
  }

  /** Applies batches until the source has nothing left (or `maxBatches`, or stop()); pauses while paused. */
  async drain(maxBatches = Number.POSITIVE_INFINITY): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      await this.control.waitWhilePaused();
      if (this.control.stopping) break;
      const consumed = await this.runOnce();
      if (consumed === 0) break;
      total += consumed;
    }
    return total;
  }

  /** Finishes the batch in hand, gives up the lease, then returns. */
  async stop(): Promise<void> {
    for (const stop of this.stopCollecting) stop();
    this.control.stop();
    await this.loop;
    await this.release();
  }

  /** Gives up the lease (the next worker starts at once): after a drain, or as part of stop(). */
  async release(): Promise<void> {
    clearInterval(this.leaseTimer);
    if (!this.leaseLost) await this.lease?.release().catch(() => undefined);
    this.lease = undefined;
  }

  get applied(): { changes: number; counts: ApplyCounts } {
    return { changes: this.checkpoint.appliedChanges, counts: this.checkpoint.counts };
  }

  /** Quarantined entities whose retry is due, as changes to apply again (checked every few seconds). */
  private async dueQuarantined(): Promise<CapturedChange[]> {
    if (!this.ctx.quarantineMaybeOpen || Date.now() < this.nextQuarantineCheck) return [];
    this.nextQuarantineCheck = Date.now() + 1_000;
    const due = await this.quarantine.due(this.options.target);
    if (due.length === 0) this.ctx.quarantineMaybeOpen = (await this.quarantine.openCount(this.options.target)) > 0;
    return due.map((entry) => ({ id: `${RETRY_PREFIX}${entry.id}`, mapping: entry.mapping, key: entry.key, op: 'U', capturedAt: entry.lastSeenAt }));
  }

  private async applyChanges(changes: readonly CapturedChange[], options: { pullParents?: boolean } = {}): Promise<void> {
    const work = await this.readCurrentRows(changes);
    const prepared = await prepareWork(this.ctx, work, options);
    const captured = changes.filter((change) => !isRetry(change));
    const next: SyncCheckpoint = { ...this.checkpoint, counts: { ...this.checkpoint.counts } };
    const result = await engineTransaction(this.options.target, async (trx) => {
      await this.lease?.renewIn(trx); // a worker that lost its lease cannot commit
      const applied = await applyPrepared(this.ctx, trx, prepared);
      if (captured.length) {
        next.position = this.source.positionAfter(captured);
        next.appliedChanges = this.checkpoint.appliedChanges + captured.length;
      }
      next.counts = addCounts({ ...this.checkpoint.counts }, applied.counts);
      next.appliedAt = Date.now();
      await writeCheckpoint(trx, this.name, next, next.appliedAt);
      return applied;
    });
    const committedAt = Date.now();
    this.checkpoint = next;
    if (captured.length) await this.source.acknowledge(captured);
    for (const change of changes) this.failures.delete(entityId(change));
    if (result.quarantined.some((item) => item.resolution === undefined)) this.ctx.quarantineMaybeOpen = true;
    this.progress.applied();
    this.record(result, captured, committedAt);
    this.options.onApplied?.(captured, committedAt);
  }

  private record(result: ApplyResult, captured: readonly CapturedChange[], committedAt: number): void {
    // Retries of what is already open are quiet: each entity is logged and counted once.
    const fresh = result.quarantined.filter((item) => item.fresh !== false);
    for (const item of fresh) {
      const log = item.resolution === undefined ? this.options.logger?.warn.bind(this.options.logger) : this.options.logger?.info.bind(this.options.logger);
      log?.({ worker: this.name, mapping: item.mapping, key: item.key, kind: item.kind, reason: item.reason }, item.resolution === undefined ? 'set aside in the quarantine' : 'conflict settled by rule');
    }
    const metrics = this.options.metrics;
    if (!metrics) return;
    metrics.changes.inc(this.labels, captured.length);
    for (const [mapping, counts] of result.byMapping) {
      for (const [outcome, n] of Object.entries(counts)) if (n > 0 && outcome !== 'conflicts') metrics.rowsApplied.inc({ ...this.labels, mapping, outcome }, n);
    }
    for (const item of fresh.filter((q) => q.kind === 'conflict')) {
      metrics.conflicts.inc({ ...this.labels, mapping: item.mapping, resolution: item.resolution === undefined ? 'quarantined' : 'settled-by-rule' });
    }
    for (const change of captured) metrics.applyLag.observe(this.labels, Math.max(0, committedAt - change.capturedAt) / 1000);
  }

  /** The current source row of every changed entity; entities the source no longer has are deletes. */
  private async readCurrentRows(changes: readonly CapturedChange[]): Promise<MappingWork[]> {
    const unknown = changes.find((change) => !this.options.capability.mappings.some((mapping) => mapping.name === change.mapping));
    if (unknown) throw new Error(`${unknown.mapping} ${keyText(unknown.key)}: no such mapping in ${this.options.capability.name}`);
    const work: MappingWork[] = [];
    for (const mapping of this.options.capability.mappings) {
      const keys = new Map(changes.filter((change) => change.mapping === mapping.name).map((change) => [keyText(change.key), change.key]));
      if (keys.size === 0) continue;
      const side = sideOf(mapping, sourceOf(this.options.direction));
      const rows = await side.readKeys(this.options.source, [...keys.values()]);
      for (const row of rows) keys.delete(keyText(side.keyOf(row)));
      work.push({ mapping, rows, deleted: [...keys.values()] });
    }
    return work;
  }

  /**
   * One entity failed on its own. The database refusing its data (a constraint, a unique key another
   * entity holds) will not change by waiting: it goes to the quarantine at once. Anything else is
   * retried with backoff, and set aside after `maxAttempts` so it never holds the lag up.
   */
  private async failed(group: readonly CapturedChange[], error: unknown): Promise<void> {
    const first = group[0] as CapturedChange;
    const id = entityId(first);
    const attempts = (this.failures.get(id) ?? 0) + 1;
    this.options.metrics?.errors.inc({ ...this.labels, mapping: first.mapping });
    const why = describeError(error);
    if (!isDataError(error) && attempts < this.maxAttempts) {
      this.failures.set(id, attempts);
      const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** (attempts - 1));
      this.source.retryLater(group.filter((change) => !isRetry(change)), delay);
      this.progress.failed(`${first.mapping} ${keyText(first.key)}: ${why}`);
      this.options.logger?.error({ worker: this.name, mapping: first.mapping, key: first.key, attempts, retryInMs: delay, err: error }, 'change could not be applied; it stays captured and will be retried');
      return;
    }
    const kind: QuarantineKind = isDataError(error) ? 'refused-by-target' : 'stuck';
    await this.setAside(group, kind, kind === 'stuck' ? reasons.stuck(attempts, why) : reasons.refused(targetOf(this.options.direction), why));
    this.failures.delete(id);
  }

  /** Records the entity with both sides' current rows, then consumes its changes: the rest flows on. */
  private async setAside(group: readonly CapturedChange[], kind: QuarantineKind, reason: string): Promise<void> {
    const first = group[0] as CapturedChange;
    const mapping = this.options.capability.mappings.find((m) => m.name === first.mapping);
    const read = async (side: SideName, db: Knex) => (mapping ? ((await sideOf(mapping, side).readKeys(db, [first.key]).catch(() => []))[0] ?? null) : null);
    const item: QuarantineItem = {
      mapping: first.mapping,
      key: first.key,
      kind,
      reason,
      source: await read(sourceOf(this.options.direction), this.options.source),
      target: await read(targetOf(this.options.direction), this.options.target),
    };
    const fresh = await engineTransaction(this.options.target, async (trx) => {
      const open = await this.quarantine.openFor(trx, [item], { lock: true });
      await this.quarantine.record(trx, [item], open);
      return open.size === 0;
    });
    this.ctx.quarantineMaybeOpen = true;
    const captured = group.filter((change) => !isRetry(change));
    if (captured.length) await this.source.acknowledge(captured);
    this.progress.applied();
    if (fresh) this.options.logger?.warn({ worker: this.name, mapping: item.mapping, key: item.key, kind, reason }, 'set aside in the quarantine');
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

  private async updateQuarantineGauge(): Promise<void> {
    const metrics = this.options.metrics;
    if (!metrics) return;
    const counts = await this.quarantine.countsByKind(this.options.target);
    for (const kind of ['conflict', 'unreadable-target', 'invalid-source', 'refused-by-target', 'parent-missing', 'stuck'] as const) {
      metrics.quarantined.set({ ...this.labels, kind }, counts[kind] ?? 0);
    }
  }
}

const isRetry = (change: CapturedChange) => change.id.startsWith(RETRY_PREFIX);
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
