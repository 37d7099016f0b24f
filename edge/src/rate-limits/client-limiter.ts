import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { RateLimitClass } from './rate-limit-policy';

/** What one request's count says. */
export interface LimitOutcome {
  allowed: boolean;
  /** Requests left in the current window after this one. */
  remaining: number;
  /** Seconds until the window frees up (at least 1). */
  resetSeconds: number;
}

export interface ClientLimiterOptions {
  /** Shared by every edge when given; otherwise each edge counts in its own memory. */
  redis?: Redis | undefined;
  keyPrefix?: string;
}

/**
 * Counts requests per client per route class with rate-limiter-flexible: in Redis when configured
 * (one count for every edge), in memory otherwise. When Redis cannot answer (down, not ready, or
 * slower than the client's command timeout) the same limits are counted in this edge's memory
 * (rate-limiter-flexible's insurance limiter) until it is back: limits stay, per edge — neither
 * every request refused nor every request let through (docs/decisions/0033).
 */
export class ClientLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(private readonly options: ClientLimiterOptions = {}) {}

  async consume(limit: RateLimitClass, clientKey: string): Promise<LimitOutcome> {
    try {
      const res = await this.limiterFor(limit).consume(clientKey);
      return { allowed: true, remaining: res.remainingPoints, resetSeconds: seconds(res.msBeforeNext) };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { allowed: false, remaining: 0, resetSeconds: seconds(rejection.msBeforeNext) };
      throw rejection;
    }
  }

  /** One limiter per class definition: a reload that leaves a class as it was keeps its counts. */
  private limiterFor(limit: RateLimitClass): RateLimiterAbstract {
    const id = `${limit.name}:${limit.limit}:${limit.windowSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const options = { points: limit.limit, duration: limit.windowSeconds, keyPrefix: `${this.options.keyPrefix ?? 'edge-rl'}:${id}` };
      limiter = this.options.redis
        ? new RateLimiterRedis({ ...options, storeClient: this.options.redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) })
        : new RateLimiterMemory(options);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
