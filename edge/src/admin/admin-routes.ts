import express, { Router } from 'express';
import { httpErrors, notFound, validationError } from '@strangler/kit';
import { MAX_FENCE_MS, type WriteFences } from '../consistency/write-fence';
import type { FlagSource } from '../flags/flag-source';
import { rolloutOfDefinition, stageOfDefinition } from '../flags/stage';
import type { WriteAffinity } from '../consistency/write-affinity';
import type { BreakerRegistry } from '../resilience/breaker-registry';
import type { RoutesProvider } from '../routing/routes-source';
import type { ShadowMirror } from '../shadow';
import { adminAuth } from './admin-auth';

export interface AdminDeps {
  adminToken: string | undefined;
  routes: RoutesProvider;
  flags: FlagSource;
  breakers: BreakerRegistry;
  shadow: ShadowMirror;
  affinity: WriteAffinity;
  fences: WriteFences;
}

const OWNER = /^[A-Za-z0-9._:-]{1,100}$/;

/** `/_edge/*`: what the edge is doing right now, as it sees it; the write fences are the one thing it changes. */
export function adminRoutes(deps: AdminDeps): Router {
  const router = Router();
  router.use(adminAuth(deps.adminToken));

  router.get('/routes', (_req, res) => {
    const { table } = deps.routes.current();
    res.json({ ...table, file: deps.routes.status() ?? null });
  });

  router.get('/capabilities', (_req, res) => {
    const client = deps.flags.client();
    const breakers = new Map(deps.breakers.snapshots().map((b) => [`${b.name} ${b.url}`, b.state]));
    const capabilities = deps.routes.current().table.capabilities.map((capability) => {
      const definition = client?.getFeatureToggleDefinition(capability.flag);
      return {
        capability: capability.name,
        flag: capability.flag,
        flagFound: definition !== undefined,
        enabled: definition?.enabled ?? false,
        stage: stageOfDefinition(definition),
        percentage: rolloutOfDefinition(definition),
        serviceUrl: capability.service.url,
        breaker: breakers.get(`${capability.name} ${capability.service.url}`) ?? 'closed',
      };
    });
    const readYourWrites = { windowMs: deps.affinity.windowMs, callerKeys: deps.affinity.size };
    res.json({ flags: deps.flags.status(), readYourWrites, capabilities });
  });

  const capabilityNamed = (name: string) => {
    if (!deps.routes.current().table.capabilities.some((c) => c.name === name)) throw notFound('EDGE_CAPABILITY_NOT_FOUND', 'Capability');
    return name;
  };
  const fenceRequest = (body: unknown): { owner: string; ttlMs: number } => {
    const { owner, ttlMs } = (body ?? {}) as { owner?: unknown; ttlMs?: unknown };
    const problems: Array<{ field: string; message: string }> = [];
    if (typeof owner !== 'string' || !OWNER.test(owner)) problems.push({ field: 'owner', message: 'must name who holds the fence (letters, digits, . _ : -)' });
    if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_FENCE_MS) problems.push({ field: 'ttlMs', message: `must be an integer of milliseconds, 1..${MAX_FENCE_MS}` });
    if (problems.length) throw validationError(problems);
    return { owner: owner as string, ttlMs: ttlMs as number };
  };

  // Write fences (decision 0018): raised and lowered by `strangler flip` / `rollback` around a switch of write authority.
  router.get('/fences', (_req, res) => {
    res.json({ fences: deps.routes.current().table.capabilities.map((c) => deps.fences.snapshot(c.name)) });
  });
  router.put('/fences/:capability', express.json({ limit: '4kb' }), (req, res) => {
    const { owner, ttlMs } = fenceRequest(req.body);
    res.json(deps.fences.raise(capabilityNamed(req.params.capability!), owner, ttlMs));
  });
  router.delete('/fences/:capability/:owner', (req, res) => {
    res.json(deps.fences.lower(capabilityNamed(req.params.capability!), req.params.owner!));
  });

  router.get('/breakers', (_req, res) => {
    res.json({ breakers: deps.breakers.snapshots() });
  });

  router.get('/mismatches', (_req, res) => {
    res.json(deps.shadow.mismatches());
  });

  router.use((req, _res, next) => next(httpErrors.routeNotFound(req.method, req.originalUrl.split('?', 1)[0]!)));
  return router;
}
