import { Router } from 'express';
import type { Registry } from 'prom-client';
import { PROBLEM_CONTENT_TYPE, problemType } from '@strangler/kit';

/** Requests waiting for a free connection to one upstream (see RequestForwarder.queued). */
export interface PoolState {
  upstream: string;
  /** The monolith serves whatever nothing else can: its pool exhausted, the edge cannot serve. */
  monolith: boolean;
  queued: number;
}

/**
 * An input's state: `degraded` = running on its last good copy (the file is invalid); `stale` = flags
 * no poll has refreshed for a while (cut off from Unleash). Both are still ready — the edge routes —
 * but someone must look.
 */
export type InputState = 'ok' | 'failing' | 'degraded' | 'stale';

export interface EdgeReadiness {
  routes: () => InputState;
  flags: () => InputState;
  /** Upstream pools; absent: not checked. */
  pools?: () => PoolState[];
}

type CheckState = 'ok' | 'failing' | 'exhausted' | 'degraded' | 'stale';

/**
 * The edge's health endpoints (never proxied), on every listener. Ready means routes and flags are
 * loaded and requests are not waiting for a connection to the monolith; a service's exhausted pool is
 * reported (`degraded`) without failing readiness, because its requests fall back to the monolith.
 */
export function healthRoutes(readiness: EdgeReadiness): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', (_req, res) => {
    const pools = readiness.pools?.() ?? [];
    const waiting = pools.filter((pool) => pool.queued > 0);
    const upstreams: CheckState = waiting.some((pool) => pool.monolith) ? 'exhausted' : waiting.length > 0 ? 'degraded' : 'ok';
    const checks: Record<string, CheckState> = { routes: readiness.routes(), flags: readiness.flags() };
    if (readiness.pools) checks.upstreams = upstreams;
    const queued = Object.fromEntries(waiting.map((pool) => [pool.upstream, pool.queued]));
    const failing = Object.entries(checks).filter(([, c]) => c === 'failing' || c === 'exhausted').map(([name]) => name);
    if (failing.length === 0) {
      res.json({ status: 'ready', checks, ...(waiting.length ? { queued } : {}) });
      return;
    }
    res
      .status(503)
      .type(PROBLEM_CONTENT_TYPE)
      .send(
        JSON.stringify({
          type: problemType('NOT_READY'),
          title: 'Not ready',
          status: 503,
          detail: `Failing: ${failing.join(', ')}`,
          code: 'NOT_READY',
          requestId: res.locals.requestId,
          checks,
          ...(waiting.length ? { queued } : {}),
        }),
      );
  });
  return router;
}

/** The edge's Prometheus endpoint (on the admin listener when there is one). */
export function metricsRoute(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
