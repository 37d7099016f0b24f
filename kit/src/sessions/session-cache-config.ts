import { z } from 'zod';

/**
 * The configuration keys of the session validity cache (decision 0027), for every deployable that
 * asks peers about sessions. `SESSION_CACHE_TTL_MS=0` turns it off (a peer is asked on every request).
 */
export function sessionCacheShape() {
  return {
    /** How long a peer's "active" answer may be reused at most; 0 = no cache. */
    SESSION_CACHE_TTL_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(0, 'must be 0 (off) or more').default(60_000),
    /** The worst-case delay between a logout anywhere and a cached answer here refusing the token. */
    SESSION_REVOCATION_BOUND_MS: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int()
      .min(200, 'must be at least 200')
      .max(60_000, 'must be at most 60000')
      .default(1_000),
  };
}

export interface SessionCacheConfig {
  SESSION_CACHE_TTL_MS: number;
  SESSION_REVOCATION_BOUND_MS: number;
}
