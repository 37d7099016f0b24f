import { AppError } from '@strangler/kit';
import { authErrors } from '../auth-errors';

/** The client went away while its hash waited: nothing is computed for nobody. */
export const clientGone = () => new AppError('REQUEST_ABORTED', 400, 'Request aborted', 'The client aborted the request.');

export interface HashingLimits {
  /** Hashes computed at once (each holds its memory: 19 MiB for argon2id, 64 MiB for old scrypt). */
  concurrency: number;
  /** Hashes allowed to wait for a slot; one more is answered 503 AUTH_BUSY with Retry-After. */
  maxQueue: number;
}

/**
 * Bounds password hashing on one instance: at most `concurrency` at once (on libuv's pool, never on
 * the event loop), at most `maxQueue` waiting in arrival order, and past that an immediate 503 with
 * an honest Retry-After (the queue's drain time at the recent mean cost) instead of a request that
 * would wait until the client or the edge times it out. So a login storm costs bounded memory and
 * answers every request quickly, one way or the other.
 */
export class HashingGate {
  private running = 0;
  private readonly waiting: Array<{ start: () => void }> = [];
  /** Exponentially weighted mean duration of one job, for Retry-After. */
  private meanMs = 50;

  constructor(private readonly limits: HashingLimits) {
    if (limits.concurrency < 1 || limits.maxQueue < 0) throw new Error('a hashing gate needs concurrency ≥ 1 and maxQueue ≥ 0');
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** `signal`: the client's request; a job whose client left while it waited is dropped, not run. */
  async run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw clientGone();
    if (this.running < this.limits.concurrency) {
      this.running += 1;
    } else {
      if (this.waiting.length >= this.limits.maxQueue) throw authErrors.busy(this.retryAfterSeconds());
      // The slot is handed over by the job that ends (`running` stays counted), so nobody overtakes.
      await new Promise<void>((resolve, reject) => {
        const waiter = {
          start: () => {
            signal?.removeEventListener('abort', leave);
            resolve();
          },
        };
        const leave = () => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(clientGone());
        };
        signal?.addEventListener('abort', leave, { once: true });
        this.waiting.push(waiter);
      });
    }
    const started = performance.now();
    try {
      return await job();
    } finally {
      this.meanMs = 0.9 * this.meanMs + 0.1 * (performance.now() - started);
      const next = this.waiting.shift();
      if (next) next.start();
      else this.running -= 1;
    }
  }

  private retryAfterSeconds(): number {
    const drainMs = ((this.waiting.length + this.running) / this.limits.concurrency) * this.meanMs;
    return Math.max(1, Math.ceil(drainMs / 1000));
  }
}
