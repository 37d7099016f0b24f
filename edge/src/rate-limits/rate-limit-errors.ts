import { AppError } from '@strangler/kit';
import type { RateLimitClass } from './rate-limit-policy';

/** The edge's answer to a client over its limit. The code is part of the public contract. */
export const rateLimitErrors = {
  tooManyRequests: (limit: RateLimitClass, retryAfterSeconds: number) =>
    new AppError(
      'EDGE_RATE_LIMITED',
      429,
      'Too many requests',
      `More than ${limit.limit} requests in ${limit.windowSeconds} s from this client on ${limit.name} routes; retry in ${retryAfterSeconds} s.`,
      { retryable: true, policy: limit.name },
    ),
};
