import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptedRequestId, REQUEST_ID_HEADER, type Logger } from '@strangler/kit';
import { Counter, Gauge, type Registry } from 'prom-client';
import { clientAddress, type TrustFunction } from '../http/client-address';
import type { ProxyListener } from '../http/front-door';
import { writeProblem } from '../http/problem-response';
import type { RequestTarget } from '../http/request-target';
import { clientKeyFor } from '../identity/client-key';
import type { UserResolver } from '../identity/user-resolver';
import type { RoutesProvider } from '../routing/routes-source';
import type { ClientLimiter, LimitOutcome } from './client-limiter';
import { setRateLimitHeaders } from './rate-limit-headers';
import { rateLimitErrors } from './rate-limit-errors';
import { classFor, type RateLimitClass } from './rate-limit-policy';

export interface RateLimitGateDeps {
  routes: RoutesProvider;
  users: UserResolver;
  trust: TrustFunction;
  limiter: ClientLimiter;
  registry: Registry;
  logger: Logger;
  /** With a Redis store: whether it is connected (the edge_rate_limit_redis_up gauge). */
  redisReady?: () => boolean;
}

/**
 * Per-client limits in front of the proxy, by the route classes of the current routes snapshot
 * (none when the routes file has no `rateLimits`). Counted before the side is chosen, so a client
 * over its limit gets the same 429 whichever side would have served it, and nothing reaches either.
 */
export function rateLimited(proxy: ProxyListener, deps: RateLimitGateDeps): ProxyListener {
  const limited = new Counter({ name: 'edge_rate_limited_total', help: 'Requests refused by a per-client rate limit, by route class', labelNames: ['class'] as const, registers: [deps.registry] });
  const { redisReady } = deps;
  if (redisReady) {
    new Gauge({
      name: 'edge_rate_limit_redis_up',
      help: '1 while the rate limits are counted in Redis, 0 while each edge counts in memory',
      registers: [deps.registry],
      collect() {
        this.set(redisReady() ? 1 : 0);
      },
    });
  }
  const storeErrors = new Counter({ name: 'edge_rate_limit_errors_total', help: 'Requests let through because their rate limit could not be counted', registers: [deps.registry] });

  const decide = (req: IncomingMessage, res: ServerResponse, target: RequestTarget, limit: RateLimitClass, outcome: LimitOutcome): Promise<void> => {
    setRateLimitHeaders(res, limit, outcome);
    if (outcome.allowed) return proxy(req, res, target);
    limited.inc({ class: limit.name });
    refuse(req, res, limit, outcome.resetSeconds);
    return Promise.resolve();
  };
  const letThrough = (req: IncomingMessage, res: ServerResponse, target: RequestTarget, error: unknown): Promise<void> => {
    // Only a bug gets here (a Redis outage is counted in memory instead): limits fail open.
    storeErrors.inc();
    deps.logger.error({ err: error, path: target.path }, 'rate limit not counted; request let through');
    return proxy(req, res, target);
  };

  return (req, res, target) => {
    const { table, matcher } = deps.routes.current();
    if (!table.rateLimits) return proxy(req, res, target);
    const limit = classFor(table.rateLimits, matcher.match((req.method ?? 'GET').toUpperCase(), target.path)?.route.rateLimit);
    const key = clientKeyFor({ clientAddress: clientAddress(req, deps.trust), headers: req.headers }, deps.users);
    const counted = typeof key === 'string' ? deps.limiter.consume(limit, key) : key.then((resolved) => deps.limiter.consume(limit, resolved));
    return counted.then(
      (outcome) => decide(req, res, target, limit, outcome),
      (error: unknown) => letThrough(req, res, target, error),
    );
  };
}

function refuse(req: IncomingMessage, res: ServerResponse, limit: RateLimitClass, retryAfterSeconds: number): void {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const requestId = acceptedRequestId(typeof incoming === 'string' ? incoming : undefined);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  res.setHeader('retry-after', String(retryAfterSeconds));
  // A body the edge will not forward is not worth reading either.
  if (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') res.setHeader('connection', 'close');
  if (req.headers['transfer-encoding'] !== undefined) res.setHeader('connection', 'close');
  writeProblem(res, rateLimitErrors.tooManyRequests(limit, retryAfterSeconds), requestId);
}
