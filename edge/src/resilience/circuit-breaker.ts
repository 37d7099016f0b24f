export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** Failure ratio over the rolling window that opens it, once the window holds `minRequests` calls. */
  errorRate: number;
  minRequests: number;
  windowMs: number;
  /** Time open before a single probe is let through. */
  cooldownMs: number;
}

/** Permission for one call; report exactly one outcome (or release it when the call never got an answer either way). */
export interface BreakerPermit {
  readonly probe: boolean;
  success(): void;
  failure(): void;
  release(): void;
}

export interface BreakerSnapshot {
  name: string;
  state: BreakerState;
  consecutiveFailures: number;
  window: { calls: number; failures: number; ms: number };
  openedAt: string | undefined;
  nextProbeAt: string | undefined;
}

const BUCKETS = 10;

/**
 * A circuit breaker as a small state machine over an injected clock (no timers, so it is exact in
 * tests). closed → open on `failureThreshold` consecutive failures or on the error rate over the
 * rolling window; open → half-open once `cooldownMs` has passed, letting one probe through; the probe
 * closes it on success or reopens it on failure.
 */
export class CircuitBreaker {
  private current: 'closed' | 'open' | 'half-open' = 'closed';
  private consecutiveFailures = 0;
  private openedAt = 0;
  /**
   * When the probe out now was let through. A probe whose permit never reports back (a request lost
   * on some path that forgot to end it) is given up after `cooldownMs`, so it cannot hold the breaker
   * half-open, refusing everyone, for ever.
   */
  private probeSince: number | undefined;
  /** Generation of the closed period a permit was issued in: late answers from before an opening are ignored. */
  private generation = 0;
  private buckets: Array<{ start: number; calls: number; failures: number }> = [];

  constructor(
    readonly name: string,
    private readonly settings: BreakerSettings,
    private readonly now: () => number,
    private readonly onTransition: (name: string, to: BreakerState) => void = () => undefined,
  ) {}

  state(): BreakerState {
    if (this.current === 'open' && this.now() >= this.openedAt + this.settings.cooldownMs) this.transition('half-open');
    return this.current;
  }

  /**
   * A permit when a call may go to this upstream now; undefined while open, while a probe is out, or
   * when half-open and the call cannot be a probe. A probe decides for everyone whether the service is
   * back, so only a call that cannot be held up by its client may be one: its body already in hand
   * (`canProbe`), with a short deadline of its own (the caller's).
   */
  tryAcquire(canProbe = true): BreakerPermit | undefined {
    const state = this.state();
    if (state === 'open') return undefined;
    if (state === 'half-open') {
      const now = this.now();
      if ((this.probeSince !== undefined && now - this.probeSince < this.settings.cooldownMs) || !canProbe) return undefined;
      this.probeSince = now;
      return this.permit(true);
    }
    return this.permit(false);
  }

  snapshot(): BreakerSnapshot {
    const state = this.state();
    const window = this.window();
    return {
      name: this.name,
      state,
      consecutiveFailures: this.consecutiveFailures,
      window: { calls: window.calls, failures: window.failures, ms: this.settings.windowMs },
      openedAt: state === 'closed' ? undefined : new Date(this.openedAt).toISOString(),
      nextProbeAt: state === 'open' ? new Date(this.openedAt + this.settings.cooldownMs).toISOString() : undefined,
    };
  }

  private permit(probe: boolean): BreakerPermit {
    return new Permit(this, probe, this.generation);
  }

  /** A permit's one outcome (the first call of success/failure/release). */
  ended(permit: { probe: boolean; generation: number }, outcome: 'success' | 'failure' | 'release'): void {
    if (permit.probe) this.probeEnded(outcome);
    else if (outcome !== 'release' && permit.generation === this.generation && this.current === 'closed') this.record(outcome === 'failure');
  }

  private probeEnded(outcome: 'success' | 'failure' | 'release'): void {
    this.probeSince = undefined;
    if (outcome === 'success') this.transition('closed');
    else if (outcome === 'failure') this.transition('open');
  }

  private record(failed: boolean): void {
    const now = this.now();
    const bucketMs = Math.max(1, Math.floor(this.settings.windowMs / BUCKETS));
    const start = now - (now % bucketMs);
    let bucket = this.buckets[this.buckets.length - 1];
    if (!bucket || bucket.start !== start) {
      bucket = { start, calls: 0, failures: 0 };
      this.buckets.push(bucket);
    }
    bucket.calls += 1;
    if (failed) bucket.failures += 1;
    this.consecutiveFailures = failed ? this.consecutiveFailures + 1 : 0;
    if (!failed) return;
    const window = this.window();
    const rateTripped = window.calls >= this.settings.minRequests && window.failures / window.calls >= this.settings.errorRate;
    if (this.consecutiveFailures >= this.settings.failureThreshold || rateTripped) this.transition('open');
  }

  private window(): { calls: number; failures: number } {
    const horizon = this.now() - this.settings.windowMs;
    this.buckets = this.buckets.filter((b) => b.start > horizon);
    return this.buckets.reduce((sum, b) => ({ calls: sum.calls + b.calls, failures: sum.failures + b.failures }), { calls: 0, failures: 0 });
  }

  private transition(to: BreakerState): void {
    if (to === 'open') this.openedAt = this.now();
    if (to === 'closed' || to === 'open') {
      this.generation += 1;
      this.consecutiveFailures = 0;
      this.buckets = [];
    }
    if (to === this.current) return;
    this.current = to;
    this.onTransition(this.name, to);
  }
}

/** One call's permit: an object with methods rather than a set of closures per call. */
class Permit implements BreakerPermit {
  private done = false;

  constructor(
    private readonly breaker: CircuitBreaker,
    readonly probe: boolean,
    readonly generation: number,
  ) {}

  success(): void {
    this.end('success');
  }

  failure(): void {
    this.end('failure');
  }

  release(): void {
    this.end('release');
  }

  private end(outcome: 'success' | 'failure' | 'release'): void {
    if (this.done) return;
    this.done = true;
    this.breaker.ended(this, outcome);
  }
}
