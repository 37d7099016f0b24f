import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging/logger';
import { PROBLEM_CONTENT_TYPE, problemType } from '../errors/problem-details';

/** A named dependency check; it throws (or rejects) when the dependency is not usable. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function healthRoutes(options: { checks: ReadinessCheck[]; registry: Registry; logger: Logger }): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req, res) => {
    const results = await Promise.all(
      options.checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          return { name, ok: true as const };
        } catch (error) {
          options.logger.warn({ check: name, err: error }, 'readiness check failed');
          return { name, ok: false as const };
        }
      }),
    );
    const checks = Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : 'failing']));
    if (results.every((r) => r.ok)) {
      res.json({ status: 'ready', checks });
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
          detail: `Failing: ${results.filter((r) => !r.ok).map((r) => r.name).join(', ')}`,
          code: 'NOT_READY',
          requestId: res.locals.requestId,
          checks,
        }),
      );
  });
  router.get('/metrics', async (_req, res) => {
    res.type(options.registry.contentType).send(await options.registry.metrics());
  });
  return router;
}
