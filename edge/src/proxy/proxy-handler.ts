import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptedRequestId, REQUEST_ID_HEADER, type AppError, type Logger } from '@strangler/kit';
import { evaluateCapability } from '../flags/capability-evaluator';
import type { FlagSource } from '../flags/flag-source';
import { decideTarget, isSafeMethod, type RoutingDecision, type Target } from '../flags/stage-decision';
import type { Stage } from '../flags/stage';
import { unleashContextFor } from '../identity/request-identity';
import type { UserResolver } from '../identity/user-resolver';
import type { EdgeMetrics } from '../metrics/edge-metrics';
import type { BreakerRegistry } from '../resilience/breaker-registry';
import type { BreakerPermit } from '../resilience/circuit-breaker';
import { decideOnFailure, monolithFailure } from '../resilience/fallback-policy';
import type { RouteMatch } from '../routing/route-matcher';
import type { RoutesProvider } from '../routing/routes-source';
import type { UpstreamSpec } from '../routing/routing-table';
import type { ShadowMirror } from '../shadow';
import type { AttemptOutcome, Forwarder, UpstreamTarget } from './forwarder';
import { outgoingRequestHeaders } from './outgoing-headers';
import { RequestBody } from './request-body';
import type { UpstreamAgents } from './upstream-agents';
import { clientAddress, type TrustFunction } from '../http/client-address';
import { writeProblem } from '../http/problem-response';
import type { UpstreamFailure } from './upstream-errors';

export const TARGET_HEADER = 'x-strangler-target';

export interface ProxySettings {
  targetHeader: boolean;
  replayMaxBodyBytes: number;
  retryAfterSeconds: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  shadowMaxBodyBytes: number;
}

export interface ProxyHandlerDeps {
  routes: RoutesProvider;
  flags: FlagSource;
  users: UserResolver;
  breakers: BreakerRegistry;
  agents: UpstreamAgents;
  forwarder: Forwarder;
  shadow: ShadowMirror;
  metrics: EdgeMetrics;
  logger: Logger;
  settings: ProxySettings;
  /** Which peers may set X-Forwarded-* (express's compiled TRUST_PROXY). */
  trust: TrustFunction;
}

/** What happened to one request, for the metrics and the access log. */
interface Served {
  capability: string;
  stage: Stage;
  target: Target;
  status: number | 'aborted';
  fallback: string | undefined;
}

const isUnavailableStatus = (status: number) => status === 502 || status === 503 || status === 504;

/**
 * Every request that is not the edge's own: match the route, ask the capability's flag which side
 * serves it, forward it there, and when the service fails, fall back to the monolith where that is
 * safe (see fallback-policy.ts) or answer with a stable problem. In the shadow stage the monolith's
 * answer is captured as it streams to the client and handed to the shadow mirror afterwards.
 */
export function proxyHandler(deps: ProxyHandlerDeps) {
  const { settings, metrics } = deps;

  // One per upstream of a routes snapshot: the URL is parsed once, not per request.
  const targets = new WeakMap<UpstreamSpec, UpstreamTarget>();
  const upstreamTarget = (spec: UpstreamSpec): UpstreamTarget => {
    let target = targets.get(spec);
    if (!target) {
      target = {
        url: new URL(spec.url),
        agent: deps.agents.agentFor(spec.url),
        connectTimeoutMs: spec.connectTimeoutMs ?? settings.connectTimeoutMs,
        responseTimeoutMs: spec.responseTimeoutMs ?? settings.responseTimeoutMs,
      };
      targets.set(spec, target);
    }
    return target;
  };

  const decide = async (req: IncomingMessage, match: RouteMatch | undefined, requestId: string): Promise<{ stage: Stage; decision: RoutingDecision }> => {
    if (!match) return { stage: 'monolith', decision: { target: 'monolith', mirror: false } };
    const evaluation = await evaluateCapability(
      () => deps.flags.client(),
      match.capability.flag,
      () => unleashContextFor({ clientAddress: clientAddress(req, deps.trust), headers: req.headers }, deps.users),
    );
    if (evaluation.reason === 'error') {
      metrics.flagEvaluationErrors.inc({ capability: match.capability.name });
      deps.logger.warn({ err: evaluation.error, flag: match.capability.flag, requestId }, 'flag evaluation failed; the monolith serves');
    }
    return { stage: evaluation.stage, decision: decideTarget(evaluation.stage, evaluation.inRollout, req.method ?? 'GET') };
  };

  const respondProblem = (res: ServerResponse, error: AppError, retryAfter: boolean, target: Target, requestId: string) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (retryAfter) res.setHeader('retry-after', String(settings.retryAfterSeconds));
    if (settings.targetHeader) res.setHeader(TARGET_HEADER, target);
    writeProblem(res, error, requestId);
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
    const { table, matcher } = deps.routes.current();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const incomingId = req.headers[REQUEST_ID_HEADER];
    const requestId = acceptedRequestId(typeof incomingId === 'string' ? incomingId : undefined);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const match = matcher.match(method, url);
    const capability = match?.capability.name ?? 'none';
    const { stage, decision } = await decide(req, match, requestId);
    const peerAddress = req.socket.remoteAddress ?? '';
    const headers = outgoingRequestHeaders(req.headers, {
      peerAddress,
      peerTrusted: deps.trust(peerAddress, 0),
      protocol: (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
      requestId,
    });
    const safe = isSafeMethod(method);
    const hasIdempotencyKey = req.headers['idempotency-key'] !== undefined;
    let target = decision.target;
    let fallback: string | undefined;
    let permit: BreakerPermit | undefined;
    if (target === 'service' && match) {
      permit = deps.breakers.for(capability, match.capability.service.url).tryAcquire();
      if (!permit) {
        target = 'monolith';
        fallback = 'breaker_open';
      }
    }
    const mirror = decision.mirror && target === 'monolith' && match !== undefined;

    let body: RequestBody;
    try {
      body = target === 'service' && (safe || hasIdempotencyKey) ? await RequestBody.buffered(req, settings.replayMaxBodyBytes) : RequestBody.streaming(req);
    } catch {
      permit?.release();
      return finish({ capability, stage, target, status: 'aborted', fallback });
    }

    const send = (side: Target): Promise<AttemptOutcome> => {
      const spec = side === 'service' && match ? match.capability.service : table.monolith;
      return deps.forwarder.attempt({
        req,
        res,
        upstream: upstreamTarget(spec),
        headers,
        body,
        extraResponseHeaders: settings.targetHeader ? { [TARGET_HEADER]: side } : {},
        ...(side === 'monolith' && mirror ? { captureBytes: settings.shadowMaxBodyBytes } : {}),
        ...(side === 'service' && permit ? { onResponseHead: (status: number) => (status >= 500 ? permit!.failure() : permit!.success()) } : {}),
        // A service saying it cannot serve (502/503/504) is a failure like a refused connection:
        // what may be tried again is answered by the monolith instead.
        ...(side === 'service' && body.replayable && (safe || hasIdempotencyKey) ? { refuseStatus: isUnavailableStatus } : {}),
      });
    };

    let outcome = await send(target);
    if (outcome.kind === 'failed') {
      permit?.failure();
      noteFailure(target, outcome.failure);
      const facts = { capability, safe, hasIdempotencyKey, responseTimeoutMs: table.monolith.responseTimeoutMs ?? settings.responseTimeoutMs };
      const action = decideOnFailure({ ...facts, side: target, failure: outcome.failure, replayable: body.replayable });
      if (action.kind === 'retry-on-monolith') {
        fallback = outcome.failure.kind;
        target = 'monolith';
        outcome = await send('monolith');
        if (outcome.kind === 'failed') noteFailure('monolith', outcome.failure);
      }
      if (outcome.kind === 'failed') {
        const problem = action.kind === 'fail' ? action : monolithFailure({ ...facts, failure: outcome.failure });
        respondProblem(res, problem.error, problem.retryAfter, target, requestId);
        return finish({ capability, stage, target, status: problem.error.status, fallback });
      }
    }
    permit?.release();
    if (outcome.kind === 'client-gone') return finish({ capability, stage, target, status: 'aborted', fallback });

    const { response } = outcome;
    if (mirror && match && response.completed && response.captured) {
      const primary = { status: response.status, headers: response.headers, body: response.captured.body, truncated: response.captured.truncated, latencyMs: elapsedMs() };
      try {
        deps.shadow.submit({
          capability,
          routeKey: match.routeKey,
          method,
          url,
          headers,
          ignore: match.route.ignore,
          primary,
          serviceUrl: match.capability.service.url,
          monolithUrl: table.monolith.url,
        });
      } catch (error) {
        // The mirror promises never to throw; if it does, the client already has its answer.
        deps.logger.error({ err: error, requestId }, 'shadow submit failed');
      }
    }
    return finish({ capability, stage, target, status: response.completed ? response.status : 'aborted', fallback });

    function noteFailure(side: Target, failure: UpstreamFailure): void {
      metrics.upstreamFailures.inc({ upstream: side === 'service' ? capability : 'monolith', kind: failure.kind });
      deps.logger.warn({ side, capability, failure, requestId }, 'upstream call failed');
    }

    function finish(served: Served): void {
      const status = String(served.status);
      metrics.requests.inc({ capability: served.capability, target: served.target, status, stage: served.stage });
      metrics.duration.observe({ capability: served.capability, target: served.target, status }, elapsedMs() / 1000);
      if (served.fallback) metrics.fallbacks.inc({ capability: served.capability, reason: served.fallback });
      const level = typeof served.status === 'number' && served.status >= 500 ? 'warn' : 'info';
      deps.logger[level]({ requestId, method, path: url.split('?', 1)[0], ...served, durationMs: Math.round(elapsedMs() * 100) / 100 }, 'request finished');
    }
  };
}

