import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { positiveMs } from '@strangler/kit';

const positiveCount = (fallback: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be an integer').positive('must be at least 1').default(fallback);

/**
 * The configuration keys of password hashing and login throttling, the same on every side that
 * answers logins (the monolith and the auth service). Each side's schema spreads them and adds
 * `.refine(throttleWindowFitsRedis, THROTTLE_WINDOW_ISSUE)`.
 */
export function authConfigShape() {
  return {
    /** Failed logins allowed per account (email) within the window before answering 429. */
    LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveCount(5),
    /** Failed logins allowed per client address within the window before answering 429. */
    LOGIN_MAX_FAILURES_PER_ADDRESS: positiveCount(20),
    /** The throttling window, and how long a throttled account or address stays blocked. */
    LOGIN_THROTTLE_WINDOW_MS: positiveMs(15 * 60 * 1000),
    /** Count login failures in this Redis, shared by every instance of every side; unset = in memory. */
    AUTH_THROTTLE_REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    /** Password hashes computed at once on this instance (libuv's pool has 4 threads by default). */
    PASSWORD_HASH_CONCURRENCY: positiveCount(Math.min(4, availableParallelism())).pipe(z.number().max(64, 'must be at most 64')),
    /** Password hashes allowed to wait for a slot; past that a login or registration is answered 503 + Retry-After. */
    PASSWORD_HASH_QUEUE: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be 0 or more').default(64),
  };
}

export const throttleWindowFitsRedis = (config: { AUTH_THROTTLE_REDIS_URL?: string | undefined; LOGIN_THROTTLE_WINDOW_MS: number }): boolean =>
  !config.AUTH_THROTTLE_REDIS_URL || config.LOGIN_THROTTLE_WINDOW_MS % 1000 === 0;

export const THROTTLE_WINDOW_ISSUE = {
  message: 'must be a whole number of seconds (a multiple of 1000) when AUTH_THROTTLE_REDIS_URL is set',
  path: ['LOGIN_THROTTLE_WINDOW_MS'],
};

export interface AuthConfig {
  LOGIN_MAX_FAILURES_PER_ACCOUNT: number;
  LOGIN_MAX_FAILURES_PER_ADDRESS: number;
  LOGIN_THROTTLE_WINDOW_MS: number;
  AUTH_THROTTLE_REDIS_URL?: string | undefined;
  PASSWORD_HASH_CONCURRENCY: number;
  PASSWORD_HASH_QUEUE: number;
}
