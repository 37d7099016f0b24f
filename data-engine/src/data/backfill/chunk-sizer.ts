/**
 * Adapts the chunk size toward a target time per chunk: a chunk that took twice the target halves
 * the next, one that took half doubles it, within bounds and at most ×2 / ÷2 per step, so one
 * slow chunk (a lock wait, a checkpoint flush) does not swing it wildly.
 */
export class ChunkSizer {
  private current: number;

  constructor(private readonly options: { initial: number; min: number; max: number; targetMs: number }) {
    this.current = this.clamp(options.initial);
  }

  get size(): number {
    return this.current;
  }

  record(rows: number, elapsedMs: number): void {
    // A short (last) chunk says little about the right size.
    if (rows < this.current / 2) return;
    const perRow = Math.max(elapsedMs, 1) / Math.max(rows, 1);
    const ideal = this.options.targetMs / perRow;
    this.current = this.clamp(Math.min(this.current * 2, Math.max(this.current / 2, ideal)));
  }

  private clamp(size: number): number {
    return Math.round(Math.min(this.options.max, Math.max(this.options.min, size)));
  }
}
