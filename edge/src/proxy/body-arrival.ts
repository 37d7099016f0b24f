import type { IncomingMessage } from 'node:http';
import type { AppError } from '@strangler/kit';
import { requestErrors } from '../http/request-errors';

export interface BodyArrivalSettings {
  /** Time a body may take before the minimum rate applies (a slow start, a mobile network). */
  graceMs: number;
  /** Each byte received buys this much more time: grace + received / rate is the deadline. */
  minBytesPerSecond: number;
  /** A body still arriving after this long makes its request "slow" for the per-client limit. */
  slowAfterMs: number;
  /** Slow requests one client address may have at once; the next one is refused (429). 0: no limit. */
  maxSlowPerClient: number;
}

/** A request body the edge stopped waiting for; `problem` is the client's answer. */
export class BodyDeadlineError extends Error {
  constructor(readonly problem: AppError) {
    super(problem.detail ?? problem.title);
    this.name = 'BodyDeadlineError';
  }
}

/** How many slow requests each client address has right now. */
export class SlowClients {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Counts one more slow request for the client; false (and nothing counted) past the limit. */
  enter(client: string): boolean {
    const count = this.counts.get(client) ?? 0;
    if (this.limit > 0 && count >= this.limit) return false;
    this.counts.set(client, count + 1);
    return true;
  }

  leave(client: string): void {
    const count = this.counts.get(client) ?? 0;
    if (count <= 1) this.counts.delete(client);
    else this.counts.set(client, count - 1);
  }

  get clients(): number {
    return this.counts.size;
  }
}

/**
 * Watches one request body arrive while the edge is reading it (time the edge itself is not reading —
 * waiting for an upstream connection, or held back by the upstream — is not the client's). The body
 * must keep a minimum rate after a grace period (Apache's mod_reqtimeout `MinRate` model), and a body
 * still arriving after `slowAfterMs` counts against its client's share of slow requests. On either
 * breach `onBreach` is called once, with the answer the client gets. One lazily re-armed timer.
 */
export class BodyArrival {
  private timer: NodeJS.Timeout | undefined;
  private started = -1;
  private received = 0;
  private pausedSince = -1;
  private pausedTotal = 0;
  private slow = false;
  private over = false;
  private onBreach: ((error: BodyDeadlineError) => void) | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly client: string,
    private readonly settings: BodyArrivalSettings,
    private readonly slowClients: SlowClients,
  ) {}

  /** Starts the clock as the edge starts reading; `breach` gets the error if the client is too slow. */
  start(breach: (error: BodyDeadlineError) => void): void {
    this.onBreach = breach;
    if (this.started >= 0 || this.over || this.req.complete) return;
    this.started = performance.now();
    const { req } = this;
    req.on('data', this.count);
    req.on('pause', this.paused);
    req.on('resume', this.resumed);
    req.once('end', this.stop);
    req.once('close', this.stop);
    this.arm();
  }

  /** Whether the whole body has arrived from the client. */
  get complete(): boolean {
    return this.req.complete;
  }

  private readonly count = (chunk: Buffer) => {
    this.received += chunk.length;
  };

  private readonly paused = () => {
    if (this.pausedSince < 0) this.pausedSince = performance.now();
    clearTimeout(this.timer);
    this.timer = undefined;
  };

  private readonly resumed = () => {
    if (this.pausedSince >= 0) {
      this.pausedTotal += performance.now() - this.pausedSince;
      this.pausedSince = -1;
    }
    if (!this.over && !this.timer) this.arm();
  };

  readonly stop = () => {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const { req } = this;
    req.off('data', this.count);
    req.off('pause', this.paused);
    req.off('resume', this.resumed);
    req.off('end', this.stop);
    req.off('close', this.stop);
    if (this.slow) this.slowClients.leave(this.client);
  };

  /** Milliseconds the edge has been reading this body. */
  private active(now: number): number {
    return now - this.started - this.pausedTotal;
  }

  private nextCheck(now: number): number {
    const { settings } = this;
    const deadline = settings.graceMs + (this.received * 1000) / settings.minBytesPerSecond;
    const active = this.active(now);
    const untilDeadline = deadline - active;
    const untilSlow = this.slow || settings.maxSlowPerClient === 0 ? Infinity : settings.slowAfterMs - active;
    return Math.min(untilDeadline, untilSlow);
  }

  private arm(): void {
    const wait = this.nextCheck(performance.now());
    this.timer = setTimeout(this.check, Math.max(0, Math.ceil(wait)));
  }

  private readonly check = () => {
    this.timer = undefined;
    if (this.over || this.pausedSince >= 0) return;
    if (this.req.complete) return this.stop();
    const now = performance.now();
    const active = this.active(now);
    const { settings } = this;
    if (!this.slow && settings.maxSlowPerClient > 0 && active >= settings.slowAfterMs - 1) {
      if (!this.slowClients.enter(this.client)) return this.breach(requestErrors.tooManySlowRequests(settings.maxSlowPerClient));
      this.slow = true;
    }
    if (active >= settings.graceMs + (this.received * 1000) / settings.minBytesPerSecond - 1) return this.breach(requestErrors.bodyTimeout());
    this.arm();
  };

  private breach(problem: AppError): void {
    const onBreach = this.onBreach;
    this.stop();
    onBreach?.(new BodyDeadlineError(problem));
  }
}
