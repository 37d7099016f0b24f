import type { SessionLookup } from '@strangler/kit';
import { LruCache } from './lru-cache';

type PeerAnswer = SessionLookup | { state: 'unreachable' };

/** What the edge needs from kit's PeerSessionsClient. */
export interface SessionPeers {
  readonly enabled: boolean;
  lookup(tokenHash: string): Promise<PeerAnswer>;
}

export type LookupResult = 'cached' | 'resolved' | 'no-user' | 'late' | 'unreachable' | 'disabled';

export interface UserResolverOptions {
  peers: SessionPeers;
  capacity: number;
  /** How long a request waits; a slower lookup still finishes and fills the cache for the next request. */
  budgetMs: number;
  /** How long "no such session" is remembered, so a flood of bad tokens does not become a flood of lookups. */
  negativeTtlMs?: number;
  now?: () => number;
  onLookup?: (result: LookupResult) => void;
}

type Entry = { userId: string } | { userId: undefined; until: number };

const NO_USER = Object.freeze({ userId: undefined });

/**
 * Token hash → user id, through the sides' internal session endpoints, remembered in a bounded LRU.
 * The mapping never changes (a token belongs to one user forever), so a cached id stays right even
 * after logout; the edge only routes by it, it never authenticates with it.
 */
export class UserResolver {
  private readonly cache: LruCache<string, Entry>;
  private readonly inFlight = new Map<string, Promise<string | undefined>>();
  private readonly now: () => number;

  constructor(private readonly options: UserResolverOptions) {
    this.cache = new LruCache(options.capacity);
    this.now = options.now ?? Date.now;
  }

  /**
   * The answer when it needs no waiting (peers disabled, or remembered), counted as `resolve` counts
   * it; undefined when only a lookup can tell. Lets a known caller's request stay synchronous.
   * `counted: false` for a second look at the same request (the rate limits' key), so the lookup
   * metrics count requests, not looks.
   */
  known(tokenHash: string, counted = true): { userId: string | undefined } | undefined {
    if (!this.options.peers.enabled) {
      if (counted) this.options.onLookup?.('disabled');
      return NO_USER;
    }
    const cached = this.cache.get(tokenHash);
    if (cached && (cached.userId !== undefined || cached.until > this.now())) {
      if (counted) this.options.onLookup?.('cached');
      return cached;
    }
    return undefined;
  }

  /** The user id already remembered for a token hash, without a lookup and without counting one. */
  rememberedUserId(tokenHash: string): string | undefined {
    return this.cache.peek(tokenHash)?.userId;
  }

  /** The user id behind a token hash, or undefined when unknown or not known quickly enough. */
  async resolve(tokenHash: string): Promise<string | undefined> {
    const known = this.known(tokenHash);
    if (known) return known.userId;
    let lookup = this.inFlight.get(tokenHash);
    if (!lookup) {
      lookup = this.lookup(tokenHash).finally(() => this.inFlight.delete(tokenHash));
      this.inFlight.set(tokenHash, lookup);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.options.budgetMs);
      timer.unref();
    });
    const outcome = await Promise.race([lookup, late]).finally(() => clearTimeout(timer));
    if (outcome === 'late') {
      this.options.onLookup?.('late');
      return undefined;
    }
    return outcome;
  }

  private async lookup(tokenHash: string): Promise<string | undefined> {
    let answer: PeerAnswer;
    try {
      answer = await this.options.peers.lookup(tokenHash);
    } catch {
      answer = { state: 'unreachable' };
    }
    if (answer.state === 'active') {
      this.cache.set(tokenHash, { userId: answer.user.id });
      this.options.onLookup?.('resolved');
      return answer.user.id;
    }
    if (answer.state === 'unreachable') {
      this.options.onLookup?.('unreachable');
      return undefined;
    }
    this.cache.set(tokenHash, { userId: undefined, until: this.now() + (this.options.negativeTtlMs ?? 10_000) });
    this.options.onLookup?.('no-user');
    return undefined;
  }
}
