import { existsSync } from 'node:fs';

/**
 * Throttling, pausing and stopping for long-running engine work. Pause with pause()/resume() (the
 * CLI maps SIGUSR1/SIGUSR2 to them) or by creating `pauseFile`; stop() ends the work after the
 * current chunk or batch, whose checkpoint is then committed.
 */
export class FlowControl {
  private pausedByCall = false;
  private stopRequested = false;
  private windowStart = Date.now();
  private windowRows = 0;
  /** Every pending sleep (several workers may share one control). */
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly options: { maxRowsPerSecond?: number | undefined; pauseFile?: string | undefined } = {}) {}

  get stopping(): boolean {
    return this.stopRequested;
  }

  get paused(): boolean {
    return this.pausedByCall || (this.options.pauseFile !== undefined && existsSync(this.options.pauseFile));
  }

  pause(): void {
    this.pausedByCall = true;
  }

  resume(): void {
    this.pausedByCall = false;
    this.wakeAll();
  }

  stop(): void {
    this.stopRequested = true;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /** Sleeps `ms`, waking early on stop() or resume(). */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Returns once not paused (or stopping); `onPause` runs once if it had to wait. */
  async waitWhilePaused(onPause?: () => void, onResume?: () => void): Promise<void> {
    if (!this.paused || this.stopRequested) return;
    onPause?.();
    while (this.paused && !this.stopRequested) await this.sleep(200);
    // Paused time is no credit for a burst.
    this.windowStart = Date.now();
    this.windowRows = 0;
    onResume?.();
  }

  /** After `rows` rows: waits as long as the rate limit asks. */
  async throttle(rows: number): Promise<void> {
    const rate = this.options.maxRowsPerSecond;
    if (!rate) return;
    this.windowRows += rows;
    const due = this.windowStart + (this.windowRows / rate) * 1000;
    await this.sleep(due - Date.now());
    // Restart the window now and then so a slow stretch is not made up for by a burst later.
    if (Date.now() - this.windowStart > 10_000) {
      this.windowStart = Date.now();
      this.windowRows = 0;
    }
  }
}
