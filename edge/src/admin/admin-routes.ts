import { Router } from 'express';
import { httpErrors } from '@strangler/kit';
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
}

/** `/_edge/*`: what the edge is doing right now, as it sees it. Read-only. */
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

  router.get('/breakers', (_req, res) => {
    res.json({ breakers: deps.breakers.snapshots() });
  });

  router.get('/mismatches', (_req, res) => {
    res.json(deps.shadow.mismatches());
  });

  router.use((req, _res, next) => next(httpErrors.routeNotFound(req.method, req.originalUrl.split('?', 1)[0]!)));
  return router;
}
