/** The limits on one call to an upstream (docs/decisions/0015-deadlines.md). */
export interface AttemptLimits {
  /** Longest wait for a free connection to the upstream (nothing has been sent yet). */
  queueMs: number;
  /** Longest silence before the response head, restarted while the request body is still being sent. */
  responseMs: number;
  /** Longest silence between two chunks of the response body, not counting time the client made us wait. */
  stallMs: number;
  /** The whole call, from asking for a connection to the last byte of the response. */
  totalMs: number;
}

/** Which limit ran out. */
export type Expiry = 'queue' | 'response' | 'stall' | 'total';

type Phase = 'queued' | 'waiting' | 'streaming' | 'done';

/**
 * The deadlines of one upstream call on a single timer. The timer is armed for the earliest deadline
 * the call could hit and, when it fires, looks at what actually happened since (progress moves a
 * deadline without touching the timer): the common call sets one timer and clears it, as the single
 * response timer before it did, however many chunks go by.
 */
export class AttemptDeadlines {
  private timer: NodeJS.Timeout | undefined;
  private phase: Phase = 'queued';
  private readonly started: number;
  private readonly totalAt: number;
  private phaseStarted: number;
  private lastProgress: number;
  /** When the timer will fire (ms, performance.now() clock). */
  private firesAt = Infinity;
  /** Since when the client has held up the response (backpressure), or -1. */
  private heldSince = -1;

  constructor(
    private readonly limits: AttemptLimits,
    private readonly onExpire: (expiry: Expiry) => void,
  ) {
    this.started = performance.now();
    this.phaseStarted = this.started;
    this.lastProgress = this.started;
    this.totalAt = this.started + limits.totalMs;
    this.arm(Math.min(this.started + limits.queueMs, this.totalAt));
  }

  /** A connection is ours: the request is on its way. */
  connected(): void {
    if (this.phase !== 'queued') return;
    this.phase = 'waiting';
    this.phaseStarted = this.lastProgress = performance.now();
    this.armEarlier(Math.min(this.lastProgress + this.limits.responseMs, this.totalAt));
  }

  /** Bytes moved (request body sent, response body received): silence starts again. */
  progress(): void {
    this.lastProgress = performance.now();
  }

  /** The response head arrived; from now on the body must keep flowing. */
  responding(): void {
    if (this.phase === 'done') return;
    this.phase = 'streaming';
    this.phaseStarted = this.lastProgress = performance.now();
    this.armEarlier(Math.min(this.lastProgress + this.limits.stallMs, this.totalAt));
  }

  /** The client stopped reading (true) or drained (false): its own slowness is not the upstream's stall. */
  heldByClient(held: boolean): void {
    if (held) {
      if (this.heldSince < 0) this.heldSince = performance.now();
    } else if (this.heldSince >= 0) {
      this.lastProgress = Math.max(this.lastProgress, performance.now());
      this.heldSince = -1;
    }
  }

  done(): void {
    this.phase = 'done';
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Milliseconds since the call started. */
  elapsed(): number {
    return performance.now() - this.started;
  }

  private deadline(): { at: number; expiry: Expiry } {
    let at: number;
    let expiry: Expiry;
    if (this.phase === 'queued') {
      at = this.phaseStarted + this.limits.queueMs;
      expiry = 'queue';
    } else if (this.phase === 'waiting') {
      at = this.lastProgress + this.limits.responseMs;
      expiry = 'response';
    } else {
      at = this.heldSince >= 0 ? Infinity : this.lastProgress + this.limits.stallMs;
      expiry = 'stall';
    }
    return at <= this.totalAt ? { at, expiry } : { at: this.totalAt, expiry: 'total' };
  }

  private readonly fire = () => {
    this.timer = undefined;
    this.firesAt = Infinity;
    if (this.phase === 'done') return;
    const { at, expiry } = this.deadline();
    // Timers may fire a little early; anything within a millisecond is due.
    if (at - performance.now() <= 1) {
      this.done();
      this.onExpire(expiry);
      return;
    }
    this.arm(at);
  };

  private armEarlier(at: number): void {
    if (at < this.firesAt) this.arm(at);
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.firesAt = at;
    this.timer = setTimeout(this.fire, Math.max(0, Math.ceil(at - performance.now())));
  }
}
