import express, { Router } from 'express';
import { httpErrors, notFound, validationError } from '@strangler/kit';
import { MAX_FENCE_MS, type FenceRelease, type WriteFences } from '../consistency/write-fence';
import type { EmergencyStops } from '../emergency/emergency-stops';
import type { FlagSource } from '../flags/flag-source';
import { approvalOfDefinition, rolloutOfDefinition, stageOfDefinition } from '@strangler/cutover-model';
import type { WriteAffinity } from '../consistency/write-affinity';
import type { BreakerRegistry } from '../resilience/breaker-registry';
import type { RoutesProvider } from '../routing/routes-source';
import type { ShadowMirror } from '../shadow';
import { adminAuth } from './admin-auth';
import { explainQuery, explainRoute, routingNow } from './route-explain';
import { ADMIN_BODY_LIMIT } from '../http/error-handler';

export interface AdminDeps {
  adminToken: string | undefined;
  routes: RoutesProvider;
  flags: FlagSource;
  breakers: BreakerRegistry;
  shadow: ShadowMirror;
  affinity: WriteAffinity;
  stops: EmergencyStops;
  fences: WriteFences;
}

const OWNER = /^[A-Za-z0-9._:-]{1,100}$/;

/** `{owner, ttlMs, until?}` of a write fence hold (decisions 0018, 0039). */
function fenceRequest(body: unknown): { owner: string; ttlMs: number; until?: FenceRelease } {
  const { owner, ttlMs, until } = (body ?? {}) as { owner?: unknown; ttlMs?: unknown; until?: unknown };
  const problems: Array<{ field: string; message: string }> = [];
  const release = until as { stage?: unknown; percentage?: unknown } | undefined;
  const validUntil =
    until === undefined ||
    (typeof until === 'object' && until !== null && !Array.isArray(until) && typeof release!.stage === 'string' && /^[a-z]{1,20}$/.test(release!.stage) &&
      typeof release!.percentage === 'number' && Number.isInteger(release!.percentage) && release!.percentage >= 0 && release!.percentage <= 100);
  if (!validUntil) problems.push({ field: 'until', message: 'must be {stage, percentage}: the flag this edge must route by before the hold lifts' });
  if (typeof owner !== 'string' || !OWNER.test(owner)) problems.push({ field: 'owner', message: 'must name who holds the fence (letters, digits, . _ : -)' });
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_FENCE_MS) problems.push({ field: 'ttlMs', message: `must be an integer of milliseconds, 1..${MAX_FENCE_MS}` });
  if (problems.length) throw validationError(problems);
  return { owner: owner as string, ttlMs: ttlMs as number, ...(until !== undefined ? { until: { stage: release!.stage as string, percentage: release!.percentage as number } } : {}) };
}

/** 1–200 characters, none of them a control character (they would forge log lines). */
const printable = (value: unknown): value is string => typeof value === 'string' && value.length >= 1 && value.length <= 200 && ![...value].some((c) => c < ' ' || c === '\u007f');

/** `{by, reason}` of an emergency stop: who and why, printable and short. */
function stopRequest(body: unknown): { by: string; reason: string } {
  const { by, reason } = (body ?? {}) as { by?: unknown; reason?: unknown };
  const problems: Array<{ field: string; message: string }> = [];
  if (!printable(by)) problems.push({ field: 'by', message: 'must name who stops it (1-200 printable characters)' });
  if (!printable(reason)) problems.push({ field: 'reason', message: 'must say why (1-200 printable characters)' });
  if (problems.length) throw validationError(problems);
  return { by: by as string, reason: reason as string };
}

/** `/_edge/*`: what the edge is doing right now, as it sees it; what it changes: emergency stops and write fences. */
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
      const stage = stageOfDefinition(definition);
      return {
        capability: capability.name,
        flag: capability.flag,
        flagFound: definition !== undefined,
        enabled: definition?.enabled ?? false,
        stage,
        percentage: rolloutOfDefinition(definition),
        serviceUrl: capability.service.url,
        breaker: breakers.get(`${capability.name} ${capability.service.url}`) ?? 'closed',
        emergencyStop: deps.stops.activeFor(capability.flag) ?? null,
        // Provenance: the stickiness users are bucketed by, and whether a gate approved this state.
        ...approvalOfDefinition(definition),
        // Who serves what now, by the proxy's own routing decision (routing/route-decision.ts).
        routing: routingNow(deps, capability, stage, definition !== undefined),
      };
    });
    const readYourWrites = { windowMs: deps.affinity.windowMs, callerKeys: deps.affinity.size };
    res.json({ flags: deps.flags.status(), readYourWrites, capabilities });
  });

  // Where a request would go now, and why (`?method=&path=&user=` or `&address=` for an anonymous client).
  router.get('/decide', (req, res, next) => {
    const query = explainQuery(req.query as Record<string, unknown>, req.socket.remoteAddress ?? '');
    explainRoute(deps, query).then((explained) => res.json(explained), next);
  });

  // Emergency stops (issue #13 §7): a capability to the monolith on this edge, without Unleash, until cleared.
  const capabilityNamed = (name: string) => {
    const capability = deps.routes.current().table.capabilities.find((c) => c.name === name);
    if (!capability) throw notFound('EDGE_CAPABILITY_NOT_FOUND', 'Capability');
    return capability;
  };
  router.get('/emergency', (_req, res) => {
    res.json({ stops: deps.stops.list() });
  });
  router.put('/emergency/:capability', express.json({ limit: ADMIN_BODY_LIMIT }), (req, res) => {
    const capability = capabilityNamed(req.params.capability as string);
    res.json(deps.stops.stop({ capability: capability.name, flag: capability.flag, ...stopRequest(req.body) }));
  });
  router.delete('/emergency/:capability', (req, res) => {
    const capability = capabilityNamed(req.params.capability as string);
    res.json({ cleared: deps.stops.clear(capability.flag) ?? null });
  });

  // Write fences (decision 0018): raised and lowered by `strangler flip` / `rollback` around a switch of write authority.
  router.get('/fences', (_req, res) => {
    res.json({ fences: deps.routes.current().table.capabilities.map((c) => deps.fences.snapshot(c.name)) });
  });
  router.put('/fences/:capability', express.json({ limit: ADMIN_BODY_LIMIT }), (req, res) => {
    const { owner, ttlMs, until } = fenceRequest(req.body);
    res.json(deps.fences.raise(capabilityNamed(req.params.capability as string).name, owner, ttlMs, until));
  });
  router.delete('/fences/:capability/:owner', (req, res) => {
    res.json(deps.fences.lower(capabilityNamed(req.params.capability as string).name, req.params.owner as string));
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
