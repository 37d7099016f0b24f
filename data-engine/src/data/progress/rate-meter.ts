/** Rows per second over a sliding window, for an honest rate and ETA after pauses and slow starts. */
export class RateMeter {
  private readonly samples: Array<{ at: number; done: number }> = [];

  constructor(private readonly windowMs = 10_000) {}

  record(done: number, at = Date.now()): void {
    this.samples.push({ at, done });
    while (this.samples.length > 2 && (this.samples[1]?.at ?? at) < at - this.windowMs) this.samples.shift();
  }

  get rowsPerSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at === first.at) return 0;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  etaSeconds(remaining: number): number | null {
    const rate = this.rowsPerSecond;
    return rate > 0 ? Math.max(0, remaining / rate) : null;
  }
}
