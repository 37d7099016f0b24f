import { Router } from 'express';
import type { Registry } from 'prom-client';
import { PROBLEM_CONTENT_TYPE, problemType } from '@strangler/kit';

export interface EdgeReadiness {
  routes: () => boolean;
  flags: () => boolean;
}

/** The edge's own health and metrics endpoints (never proxied). */
export function healthRoutes(readiness: EdgeReadiness, registry: Registry): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', (_req, res) => {
    const checks = { routes: readiness.routes() ? 'ok' : 'failing', flags: readiness.flags() ? 'ok' : 'failing' };
    if (Object.values(checks).every((c) => c === 'ok')) {
      res.json({ status: 'ready', checks });
      return;
    }
    const failing = Object.entries(checks).filter(([, c]) => c !== 'ok').map(([name]) => name);
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
        }),
      );
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
