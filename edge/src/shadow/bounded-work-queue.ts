export type OfferResult = 'accepted' | 'full' | 'closed';

/**
 * Runs at most `maxConcurrent` tasks at once and holds at most `maxWaiting` more; anything beyond is
 * refused at once rather than buffered, so a slow upstream costs bounded memory, never latency.
 * `offer` only reserves a slot: the task itself starts on a later turn of the event loop, so the
 * caller's request path never does any of the work.
 */
export class BoundedWorkQueue<T> {
  private readonly waiting: T[] = [];
  private running = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxWaiting: number,
    private readonly run: (item: T) => Promise<void>,
  ) {
    if (!(maxConcurrent >= 1)) throw new Error(`maxConcurrent must be at least 1, got ${maxConcurrent}`);
    if (!(maxWaiting >= 0)) throw new Error(`maxWaiting must not be negative, got ${maxWaiting}`);
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  offer(item: T): OfferResult {
    if (this.closed) return 'closed';
    if (this.running < this.maxConcurrent) {
      this.running += 1;
      setImmediate(() => this.execute(item));
      return 'accepted';
    }
    if (this.waiting.length >= this.maxWaiting) return 'full';
    this.waiting.push(item);
    return 'accepted';
  }

  /** Refuses new work from now on and hands back what was still waiting (it will never run). */
  close(): T[] {
    this.closed = true;
    return this.waiting.splice(0);
  }

  /** Resolves once no task is running. */
  whenIdle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private execute(item: T): void {
    // `run` is expected not to fail; if it does anyway, the slot must still be freed.
    new Promise<void>((resolve) => resolve(this.run(item)))
      .catch(() => undefined)
      .finally(() => {
        const next = this.waiting.shift();
        if (next !== undefined) {
          setImmediate(() => this.execute(next));
          return;
        }
        this.running -= 1;
        if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }
}
