import { validationError } from '@strangler/kit';
import type { Context } from 'unleash-client';
import type { WriteAffinity } from '../consistency/write-affinity';
import type { WriteFences } from '../consistency/write-fence';
import type { EmergencyStops } from '../emergency/emergency-stops';
import { evaluateCapabilityNow, type CapabilityEvaluation } from '../flags/capability-evaluator';
import { canonicalTarget, isRefused } from '../http/request-target';
import type { FlagSource } from '../flags/flag-source';
import { isSafeMethod, type Stage } from '@strangler/cutover-model';
import { addressHash, userCallerKey } from '../identity/request-identity';
import type { BreakerRegistry } from '../resilience/breaker-registry';
import type { BreakerState } from '../resilience/circuit-breaker';
import { decideRoute, isFlagUnavailable, PRESUMED, type RouteDecision, type RouteFacts } from '../routing/route-decision';
import type { RoutesProvider } from '../routing/routes-source';
import type { CapabilitySpec } from '../routing/routing-table';

export interface ExplainDeps {
  routes: RoutesProvider;
  flags: FlagSource;
  breakers: BreakerRegistry;
  affinity: WriteAffinity;
  stops: EmergencyStops;
  fences: WriteFences;
}

export interface ExplainQuery {
  method: string;
  path: string;
  /** A signed-in user's id; without it, an anonymous client at `address`. */
  user: string | undefined;
  address: string;
}

const METHOD = /^[A-Za-z]{1,20}$/;
const USER = /^[\x21-\x7e]{1,200}$/;

/** `?method=&path=&user=&address=` of /_edge/decide, or a validation error naming the field. */
export function explainQuery(query: Record<string, unknown>, callerAddress: string): ExplainQuery {
  const { method = 'GET', path, user, address = callerAddress } = query;
  const problems: Array<{ field: string; message: string }> = [];
  if (typeof method !== 'string' || !METHOD.test(method)) problems.push({ field: 'method', message: 'must be an HTTP method (letters only)' });
  if (typeof path !== 'string' || !path.startsWith('/') || path.length > 2000) problems.push({ field: 'path', message: 'must be a request path starting with / (at most 2000 characters)' });
  if (user !== undefined && (typeof user !== 'string' || !USER.test(user))) problems.push({ field: 'user', message: 'must be a user id (1-200 printable characters, no spaces)' });
  if (typeof address !== 'string' || !USER.test(address)) problems.push({ field: 'address', message: 'must be a client address' });
  // Read as the proxy reads a request-target (http/request-target.ts): the same spelling, the same route.
  const target = problems.length === 0 ? canonicalTarget((method as string).toUpperCase(), path as string) : undefined;
  if (target && isRefused(target)) problems.push({ field: 'path', message: `the edge refuses this request-target (${target.refused.replace(/-/g, ' ')})` });
  if (problems.length || !target || isRefused(target)) throw validationError(problems);
  return { method: (method as string).toUpperCase(), path: target.path, user: user as string | undefined, address: address as string };
}

/** The breaker's state as it stands, without creating one for an upstream never called. */
function breakerState(deps: ExplainDeps, capability: CapabilitySpec): BreakerState {
  return deps.breakers.snapshots().find((b) => b.name === capability.name && b.url === capability.service.url)?.state ?? 'closed';
}

/**
 * `GET /_edge/decide`: where this edge would send a request now and why, by the very function the
 * proxy routes with (routing/route-decision.ts), from the same facts: the flag evaluated for this
 * caller, their read-your-writes pin, the breaker, the emergency stop, the fence. Nothing is changed:
 * the shadow mirror's admission is presumed (asking would take a comparison's place).
 */
export async function explainRoute(deps: ExplainDeps, query: ExplainQuery) {
  const { matcher, writers } = deps.routes.current();
  const { method, path, user } = query;
  const safe = isSafeMethod(method);
  const match = matcher.match(method, path);
  const writtenThrough = match || safe ? [] : [writers.match(method, path)?.capability.name].filter((name): name is string => name !== undefined);
  const capability = match?.capability;
  let evaluation: CapabilityEvaluation = { stage: 'monolith', inRollout: false, reason: 'missing' };
  if (capability) {
    const context: Context = user ? { userId: user, remoteAddress: query.address } : { sessionId: addressHash(query.address), remoteAddress: query.address };
    evaluation = await evaluateCapabilityNow(() => deps.flags.client(), capability.flag, () => context);
  }
  const written = capability ? [capability.name] : writtenThrough;
  const facts: RouteFacts = {
    ...PRESUMED,
    matched: capability !== undefined,
    method,
    stage: evaluation.stage,
    inRollout: evaluation.inRollout,
    flagUnavailable: isFlagUnavailable(evaluation.reason),
    emergencyStop: capability !== undefined && deps.stops.activeFor(capability.flag) !== undefined,
    pin: capability && safe && user ? deps.affinity.sideFor(capability.name, [userCallerKey(user)]) : undefined,
    breaker: capability ? breakerState(deps, capability) : 'closed',
    fence: !safe && written.some((name) => deps.fences.raisedUntil(name) !== undefined) ? 'raised' : 'clear',
  };
  return {
    request: { method, path, user: user ?? null, address: user ? null : query.address },
    capability: capability?.name ?? null,
    route: match?.routeKey ?? null,
    writtenThrough,
    flag: capability ? { name: capability.flag, evaluation: evaluation.reason } : null,
    facts,
    decision: decideRoute(facts),
  };
}

/** One row of a capability's routing now (GET /_edge/capabilities): the decision for each kind of caller and request. */
export interface RoutingRow {
  method: 'GET' | 'POST';
  inRollout: boolean;
  side: RouteDecision['side'];
  reason: RouteDecision['reason'];
  refused: boolean;
  mirror: boolean;
}

/**
 * What the capability's stage, breaker and emergency stop do to each kind of request right now, by
 * the same function: a read and a write, in and out of the rollout (no pin, fence as it stands).
 */
export function routingNow(deps: ExplainDeps, capability: CapabilitySpec, stage: Stage, flagFound: boolean): RoutingRow[] {
  const base = {
    ...PRESUMED,
    matched: true,
    stage,
    flagUnavailable: !flagFound,
    emergencyStop: deps.stops.activeFor(capability.flag) !== undefined,
    pin: undefined,
    breaker: breakerState(deps, capability),
    fence: deps.fences.raisedUntil(capability.name) !== undefined ? 'raised' : 'clear',
  } as const;
  const rows: RoutingRow[] = [];
  for (const method of ['GET', 'POST'] as const) {
    for (const inRollout of [true, false]) {
      const decision = decideRoute({ ...base, method, inRollout });
      rows.push({ method, inRollout, side: decision.side, reason: decision.reason, refused: decision.refused, mirror: decision.mirror });
    }
  }
  return rows;
}
