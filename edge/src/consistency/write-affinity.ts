import type { Side as Target } from '@strangler/cutover-model';
import { LruCache } from '../identity/lru-cache';

export interface WriteAffinityOptions {
  /** How long after a caller's write their reads stay on the side that took it (0 turns pinning off). */
  windowMs: number;
  /** Callers remembered per edge; the least recently written are forgotten first. */
  capacity: number;
  now?: () => number;
}

interface Pin {
  side: Target;
  until: number;
}

/**
 * Read-your-writes across the two sides. While a capability is moving, the two databases are kept
 * equal by the sync worker, a few hundred milliseconds behind. A caller whose write the monolith took
 * and whose next read the flag sends to the service (stage `reads`, a raised percentage, a rollback)
 * would not find what they just wrote. So for `windowMs` after a write, that caller's reads of the
 * capability go to the side that took it: the window must cover the sync's lag.
 *
 * A caller is known by every key the request carries (the user id behind the token when the edge
 * already knows it, and the token's hash); a write pins all of them, a read follows the newest pin
 * among them. Anonymous calls are not pinned (see callerKeysFor). Pins live in this edge's memory: several
 * edge instances need a load balancer that keeps a client on one instance for the window.
 */
export class WriteAffinity {
  private readonly pins: LruCache<string, Pin>;
  private readonly now: () => number;

  constructor(private readonly options: WriteAffinityOptions) {
    if (!(options.windowMs >= 0)) throw new Error(`windowMs must not be negative, got ${options.windowMs}`);
    this.pins = new LruCache(options.capacity);
    this.now = options.now ?? Date.now;
  }

  get windowMs(): number {
    return this.options.windowMs;
  }

  /** Caller keys remembered (expired pins included until they are next looked at or pushed out). */
  get size(): number {
    return this.pins.size;
  }

  get enabled(): boolean {
    return this.options.windowMs > 0;
  }

  /** True while no caller is pinned at all: a read need not work out who is asking. */
  get empty(): boolean {
    return this.pins.size === 0;
  }

  /** A write by this caller was sent to `side`. */
  noteWrite(capability: string, callerKeys: readonly string[], side: Target): void {
    if (!this.enabled) return;
    const pin: Pin = { side, until: this.now() + this.options.windowMs };
    for (const key of callerKeys) this.pins.set(pinKey(capability, key), pin);
  }

  /** The side that took this caller's latest write to the capability within the window, if any. */
  sideFor(capability: string, callerKeys: readonly string[]): Target | undefined {
    if (!this.enabled) return undefined;
    const now = this.now();
    let latest: Pin | undefined;
    for (const key of callerKeys) {
      const pin = this.pins.peek(pinKey(capability, key));
      if (!pin) continue;
      if (pin.until <= now) this.pins.delete(pinKey(capability, key));
      else if (!latest || pin.until > latest.until) latest = pin;
    }
    return latest?.side;
  }
}

const pinKey = (capability: string, callerKey: string) => `${capability}\u0000${callerKey}`;
