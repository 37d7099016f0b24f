import type { KeyTuple } from '../types';

/** One captured write: which entity changed (the worker re-reads its current row by key). */
export interface CapturedChange {
  /** The source's own id for it (the changelog's sequence number). */
  id: string;
  mapping: string;
  key: KeyTuple;
  op: 'I' | 'U' | 'D';
  /** When the source database captured it (epoch ms): the start of its sync lag. */
  capturedAt: number;
}

/**
 * Where a sync worker gets changes from. Today: the trigger-fed changelog table
 * (ChangelogChangeSource). The seam leaves room for a binlog reader later: its position would be a
 * binlog file and offset, kept in the same target checkpoint and handed back to start().
 */
export interface ChangeSource {
  readonly description: string;
  /** Called once with the position the target's checkpoint holds (undefined on a first run). */
  start(position: unknown): Promise<void>;
  /** The next changes, oldest first. */
  next(limit: number): Promise<CapturedChange[]>;
  /** What the target's checkpoint records once these are applied: where this source resumes. */
  positionAfter(applied: readonly CapturedChange[]): unknown;
  /** The changes are applied and the batch's position is committed on the target. */
  acknowledge(changes: readonly CapturedChange[]): Promise<void>;
  /** These could not be applied now: offer them again after `delayMs` (others go on meanwhile). */
  retryLater(changes: readonly CapturedChange[], delayMs: number): void;
  /** When the oldest change still waiting was captured (null when none): the lag. */
  oldestPendingAt(): Promise<number | null>;
  pendingCount(): Promise<number>;
}
