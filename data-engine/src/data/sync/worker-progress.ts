/**
 * Whether a sync worker is getting anywhere, for /health/ready: it is, while each poll either
 * finds nothing to do or commits something (applied, or set aside in the quarantine). A worker
 * whose polls fail, whose batches all fail, or that is paused, stops being ready after `stallMs`
 * — a gate then says so instead of trusting a lag that only looks small.
 */
export class WorkerProgress {
  private lastProgressAt = Date.now();
  private lastError: string | undefined;

  constructor(
    private readonly stallMs: number,
    private readonly paused: () => boolean,
  ) {}

  started(): void {
    this.lastProgressAt = Date.now();
  }

  /** Nothing left to do. */
  caughtUp(): void {
    this.lastProgressAt = Date.now();
    this.lastError = undefined;
  }

  /** A batch committed (its changes applied or set aside). */
  applied(): void {
    this.caughtUp();
  }

  failed(detail: string): void {
    this.lastError = detail;
  }

  /** How it stands: ok, or why not (readiness logs the why with the failing check). */
  describe(now = Date.now()): { ok: boolean; idleSeconds: number; paused: boolean; lastError: string | null; detail: string } {
    const idle = now - this.lastProgressAt;
    const paused = this.paused();
    const ok = idle <= this.stallMs;
    const why = paused ? 'paused (SIGUSR2 or removing the pause file resumes it)' : this.lastError ? `last error: ${this.lastError}` : 'no poll finished';
    return { ok, idleSeconds: Math.round(idle / 100) / 10, paused, lastError: this.lastError ?? null, detail: ok ? 'making progress' : `no progress for ${Math.round(idle / 1000)} s: ${why}` };
  }

  /** Throws (with why) when the worker has made no progress for longer than the bound. */
  check(now = Date.now()): void {
    const state = this.describe(now);
    if (!state.ok) throw new Error(state.detail);
  }
}
