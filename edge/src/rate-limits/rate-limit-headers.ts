import type { ServerResponse } from 'node:http';
import type { LimitOutcome } from './client-limiter';
import type { RateLimitClass } from './rate-limit-policy';

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers, structured fields): the
 * policy a request was counted under (`q` requests per `w` seconds) and what is left of it (`r`
 * remaining, `t` seconds until it frees up). Sent on every answer to a limited request.
 */
export function setRateLimitHeaders(res: ServerResponse, limit: RateLimitClass, outcome: LimitOutcome): void {
  res.setHeader('ratelimit-policy', `"${limit.name}";q=${limit.limit};w=${limit.windowSeconds}`);
  res.setHeader('ratelimit', `"${limit.name}";r=${outcome.remaining};t=${outcome.resetSeconds}`);
}
