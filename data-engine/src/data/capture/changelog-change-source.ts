import type { Knex } from 'knex';
import { engineTransaction } from '../engine-transaction';
import { keyFromText } from '../keys';
import type { CapturedChange, ChangeSource } from './change-source';
import { changelogTable } from './trigger-ddl';

interface ChangelogRow {
  seq: number | string;
  mapping: string;
  entity_key: string;
  op: string;
  captured_at: number | string;
}

/** The position a changelog worker checkpoints: the sequence numbers of the last applied batch. */
export interface ChangelogPosition {
  kind: 'changelog';
  /** Applied sequence numbers, as [first, last] runs. */
  applied: Array<[number, number]>;
  lastSeq: number;
  /** Capture time of the newest change applied. */
  capturedThrough: number;
}

function runsOf(seqs: number[]): Array<[number, number]> {
  const sorted = [...seqs].sort((a, b) => a - b);
  const runs: Array<[number, number]> = [];
  for (const seq of sorted) {
    const last = runs[runs.length - 1];
    if (last && seq === last[1] + 1) last[1] = seq;
    else runs.push([seq, seq]);
  }
  return runs;
}

const isPosition = (value: unknown): value is ChangelogPosition =>
  typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'changelog';

/**
 * The changelog as a queue: the triggers append, the worker reads the oldest entries, applies them,
 * commits them with its checkpoint on the target, then deletes them here. Nothing is ever skipped by
 * a high-water mark, so a transaction that took its sequence number early but committed late is
 * still picked up. A crash between the target's commit and the delete leaves applied entries
 * behind; start() deletes those the checkpoint names (re-applying them would be harmless anyway:
 * every apply is an idempotent, version-checked upsert).
 */
export class ChangelogChangeSource implements ChangeSource {
  readonly description: string;
  private readonly table: string;
  private readonly deferred = new Map<string, number>();

  constructor(
    private readonly db: Knex,
    capability: string,
    private readonly mappings: readonly string[],
  ) {
    this.table = changelogTable(capability);
    this.description = `changelog table ${this.table}`;
  }

  async start(position: unknown): Promise<void> {
    if (!isPosition(position)) return;
    await engineTransaction(this.db, async (trx) => {
      for (const [first, last] of position.applied) {
        await trx(this.table).whereBetween('seq', [first, last]).where('captured_at', '<=', position.capturedThrough).delete();
      }
    });
  }

  async next(limit: number): Promise<CapturedChange[]> {
    const now = Date.now();
    for (const [id, at] of this.deferred) if (at <= now) this.deferred.delete(id);
    const rows = (await this.db(this.table)
      .whereIn('mapping', [...this.mappings])
      .orderBy('seq')
      .limit(limit + this.deferred.size)
      .select('seq', 'mapping', 'entity_key', 'op', 'captured_at')) as ChangelogRow[];
    const changes: CapturedChange[] = [];
    for (const row of rows) {
      const id = String(row.seq);
      if (this.deferred.has(id)) continue;
      changes.push({ id, mapping: row.mapping, key: keyFromText(row.entity_key), op: row.op as CapturedChange['op'], capturedAt: Number(row.captured_at) });
      if (changes.length === limit) break;
    }
    return changes;
  }

  positionAfter(applied: readonly CapturedChange[]): ChangelogPosition {
    const seqs = applied.map((change) => Number(change.id));
    return {
      kind: 'changelog',
      applied: runsOf(seqs),
      lastSeq: seqs.length ? Math.max(...seqs) : 0,
      capturedThrough: applied.reduce((max, change) => Math.max(max, change.capturedAt), 0),
    };
  }

  /** Deletes applied entries: READ COMMITTED on MySQL, so the delete takes no gap locks that the
   * triggers' inserts of new entries could deadlock with, and retried if it loses one anyway. */
  async acknowledge(changes: readonly CapturedChange[]): Promise<void> {
    await engineTransaction(this.db, async (trx) => {
      for (const [first, last] of runsOf(changes.map((change) => Number(change.id)))) {
        await trx(this.table).whereBetween('seq', [first, last]).delete();
      }
    });
    for (const change of changes) this.deferred.delete(change.id);
  }

  retryLater(changes: readonly CapturedChange[], delayMs: number): void {
    const at = Date.now() + delayMs;
    for (const change of changes) this.deferred.set(change.id, at);
  }

  /** The oldest change waiting (what a lag gate is waiting for), or null. */
  async oldestPending(): Promise<Pick<CapturedChange, 'mapping' | 'key' | 'capturedAt'> | null> {
    const row = (await this.db(this.table).whereIn('mapping', [...this.mappings]).orderBy('seq').first('mapping', 'entity_key', 'captured_at')) as
      | { mapping: string; entity_key: string; captured_at: unknown }
      | undefined;
    return row ? { mapping: row.mapping, key: keyFromText(row.entity_key), capturedAt: Number(row.captured_at) } : null;
  }

  async oldestPendingAt(): Promise<number | null> {
    const row = (await this.db(this.table).whereIn('mapping', [...this.mappings]).orderBy('seq').first('captured_at')) as { captured_at: unknown } | undefined;
    return row ? Number(row.captured_at) : null;
  }

  async pendingCount(): Promise<number> {
    const row = (await this.db(this.table).whereIn('mapping', [...this.mappings]).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }
}
