import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { acceptedRequestId, REQUEST_ID_HEADER, WRITE_DEADLINE_HEADER, writeFenced, type AppError, type Logger } from '@strangler/kit';
import { evaluateCapabilityNow, type CapabilityEvaluation } from '../flags/capability-evaluator';
import type { FlagSource } from '../flags/flag-source';
import { isSafeMethod, type Side as Target, type Stage } from '@strangler/cutover-model';
import type { WriteAffinity } from '../consistency/write-affinity';
import type { EmergencyStops } from '../emergency/emergency-stops';
import type { FenceTicket, WriteEnd, WriteFences } from '../consistency/write-fence';
import { callerKeysFor, unleashContextFor } from '../identity/request-identity';
import type { UserResolver } from '../identity/user-resolver';
import type { EdgeMetrics } from '../metrics/edge-metrics';
import type { BreakerRegistry } from '../resilience/breaker-registry';
import type { BreakerPermit } from '../resilience/circuit-breaker';
import { probeReadiness } from '../resilience/readiness-probe';
import { decideOnFailure, monolithFailure } from '../resilience/fallback-policy';
import type { RequestTarget } from '../http/request-target';
import { decideRoute, isFlagUnavailable, PRESUMED, type RouteDecision, type RouteFacts } from '../routing/route-decision';
import type { RouteMatch, RouteMatcher } from '../routing/route-matcher';
import type { RoutesProvider } from '../routing/routes-source';
import type { RoutingTable, UpstreamSpec } from '../routing/routing-table';
import type { ShadowMirror } from '../shadow';
import type { AttemptOutcome, AttemptSpec, ForwardedResponse, RequestForwarder, UpstreamTarget } from './forwarder';
import { EDGE_HOP_HEADER, hasRequestBody, outgoingRequestHeaders, type HeaderRecord } from './outgoing-headers';
import { requestErrors } from '../http/request-errors';
import { RequestBody } from './request-body';
import { BodyArrival, BodyDeadlineError, SlowClients, type BodyArrivalSettings } from './body-arrival';
import type { AttemptLimits } from './attempt-deadlines';
import type { UpstreamAgents } from './upstream-agents';
import { forwardingFacts, type ForwardingFacts, type TrustFunction } from '../http/client-address';
import { writeProblem } from '../http/problem-response';
import { countsAgainstUpstream, edgeErrors, failureLabel, type UpstreamFailure } from './upstream-errors';
import type { AccessLog } from './access-log';

export const TARGET_HEADER = 'x-strangler-target';

export interface ProxySettings {
  targetHeader: boolean;
  replayMaxBodyBytes: number;
  retryAfterSeconds: number;
  connectTimeoutMs: number;
  /** The limits of an upstream call; `responseMs` is the default the routes file may override per upstream. */
  limits: AttemptLimits;
  /** The whole call of a breaker's half-open probe. */
  probeTimeoutMs: number;
  /** How fast a client must send its body (see body-arrival.ts). */
  bodyArrival: BodyArrivalSettings;
  shadowMaxBodyBytes: number;
}

export interface ProxyHandlerDeps {
  routes: RoutesProvider;
  flags: FlagSource;
  users: UserResolver;
  breakers: BreakerRegistry;
  agents: UpstreamAgents;
  forwarder: RequestForwarder;
  shadow: ShadowMirror;
  /** Read-your-writes: a caller's reads follow their latest write for a while (see write-affinity.ts). */
  affinity: WriteAffinity;
  /** Write fences raised while a capability's write authority moves (see write-fence.ts). */
  fences: WriteFences;
  /** Emergency stops: a stopped capability's flag already reads as off; this says why (the route's reason). */
  stops: EmergencyStops;
  /** Epoch milliseconds (a fence's Retry-After). */
  now: () => number;
  metrics: EdgeMetrics;
  logger: Logger;
  /** One line per finished request (see access-log.ts). */
  accessLog: AccessLog;
  settings: ProxySettings;
  /** Which peers may set X-Forwarded-* (express's compiled TRUST_PROXY). */
  trust: TrustFunction;
  /** This edge's id on the requests it forwards: one that comes back with it is answered 508, not forwarded again. */
  hop?: string;
}

const isUnavailableStatus = (status: number) => status === 502 || status === 503 || status === 504;

const UNMATCHED: CapabilityEvaluation = Object.freeze({ stage: 'monolith', inRollout: false, reason: 'missing' });

/** The connecting peer, and whether it is a trusted proxy: the same for every request on a connection. */
interface Peer {
  address: string;
  trusted: boolean;
  encrypted: boolean;
  /** The forwarding facts of a request that carries no X-Forwarded-For (or comes from an untrusted peer). */
  direct: ForwardingFacts;
}

/**
 * Every request that is not the edge's own: match the route, ask the capability's flag which side
 * serves it, forward it there, and when the service fails, fall back to the monolith where that is
 * safe (see fallback-policy.ts) or answer with a stable problem. In the shadow stage the monolith's
 * answer is captured as it streams to the client and handed to the shadow mirror afterwards.
 *
 * The common request (a known caller, no body) runs through without waiting on anything but the
 * upstream: no promise is made for what is already known (docs/decisions/0010-edge-hot-path.md).
 */
export function proxyHandler(deps: ProxyHandlerDeps) {
  const { settings, metrics, accessLog } = deps;

  // One per upstream of a routes snapshot: the URL is parsed once, not per request.
  const targets = new WeakMap<UpstreamSpec, UpstreamTarget>();
  const upstreamTarget = (spec: UpstreamSpec): UpstreamTarget => {
    let target = targets.get(spec);
    if (!target) {
      target = {
        url: new URL(spec.url),
        agent: deps.agents.agentFor(spec.url),
        connectTimeoutMs: spec.connectTimeoutMs ?? settings.connectTimeoutMs,
        limits: spec.responseTimeoutMs === undefined ? settings.limits : { ...settings.limits, responseMs: spec.responseTimeoutMs },
      };
      targets.set(spec, target);
    }
    return target;
  };

  const peers = new WeakMap<Socket, Peer>();
  const peerOf = (socket: Socket): Peer => {
    let peer = peers.get(socket);
    if (!peer) {
      const address = socket.remoteAddress ?? '';
      const trusted = deps.trust(address, 0);
      peer = { address, trusted, encrypted: Boolean((socket as { encrypted?: boolean }).encrypted), direct: Object.freeze({ client: address, forwardedFor: address, peerTrusted: trusted }) };
      if (socket.remoteAddress !== undefined) peers.set(socket, peer);
    }
    return peer;
  };
  /** Who sent the request, as far as the trusted proxies vouch for it (see http/client-address.ts). */
  const forwardingOf = (req: IncomingMessage, peer: Peer): ForwardingFacts =>
    peer.trusted && req.headers['x-forwarded-for'] !== undefined ? forwardingFacts(req, deps.trust) : peer.direct;

  const slowClients = new SlowClients(settings.bodyArrival.maxSlowPerClient);

  const targetHeaders: Record<Target, Record<string, string>> = settings.targetHeader
    ? { monolith: Object.freeze({ [TARGET_HEADER]: 'monolith' }), service: Object.freeze({ [TARGET_HEADER]: 'service' }) }
    : { monolith: Object.freeze({}), service: Object.freeze({}) };

  const evaluate = (request: ProxiedRequest, match: RouteMatch): CapabilityEvaluation | Promise<CapabilityEvaluation> =>
    evaluateCapabilityNow(
      () => deps.flags.client(),
      match.capability.flag,
      () => unleashContextFor({ clientAddress: request.forwarding.client, headers: request.req.headers }, deps.users),
    );

  const callerKeys = (req: IncomingMessage): string[] => callerKeysFor(req, deps.users);

  const respondProblem = (res: ServerResponse, error: AppError, retryAfter: boolean, target: Target, requestId: string, close = false) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The rest of a body the edge stopped reading is not worth reading: the connection goes.
    if (close) res.setHeader('connection', 'close');
    if (retryAfter) res.setHeader('retry-after', String(settings.retryAfterSeconds));
    if (settings.targetHeader) res.setHeader(TARGET_HEADER, target);
    writeProblem(res, error, requestId);
  };

  /**
   * A write that may have changed something pins the caller's next reads to the side that took it; a
   * 4xx changed nothing (the sides' contract), and one the edge answered itself (fenced, breaker open:
   * never sent, so no deadline) reached no side, so neither pins anything. Noted when the side's answer
   * head arrives, before the client sees a byte (a client reading right after its write's last byte
   * raced a pin noted only once the response had been streamed: the drill's one stale read after
   * checkout in 1,326), and again when the request ends (a write sent but never answered).
   */
  const pinWrite = (request: ProxiedRequest, side: Target, status: number | 'aborted'): void => {
    if (!request.writerKeys?.length || request.writeDeadline === undefined || (typeof status === 'number' && status >= 400 && status < 500)) return;
    const pinned = request.match ? [request.capability, ...request.writesThrough] : request.writesThrough;
    for (const capability of pinned) deps.affinity.noteWrite(capability, request.writerKeys, side);
  };

  /** What happened to one request, for the metrics and the access log. */
  const finish = (request: ProxiedRequest, status: number | 'aborted'): void => {
    (request.body as RequestBody | undefined)?.answered();
    const durationMs = performance.now() - request.started;
    const { side: target, reason } = request.route;
    const fallback = request.fallback ?? (reason === 'breaker_open' ? reason : undefined);
    metrics.recordProxiedRequest(request.capability, target, status, request.stage, reason, durationMs / 1000);
    if (fallback) metrics.fallbacks.inc({ capability: request.capability, reason: fallback });
    pinWrite(request, target, status);
    accessLog.finished(request.requestId, request.method, request.url, request.capability, request.stage, target, reason, status, fallback, durationMs);
  };

  const noteFailure = (request: ProxiedRequest, side: Target, failure: UpstreamFailure): void => {
    metrics.upstreamFailures.inc({ upstream: side === 'service' ? request.capability : 'monolith', kind: failureLabel(failure) });
    deps.logger.warn({ side, capability: request.capability, failure, requestId: request.requestId }, 'upstream call failed');
  };

  /**
   * A write's deadline (decision 0038): past it the edge no longer waits, so the side must not start or
   * commit it. A whole body: the wait for a connection and for the answer. A body still arriving: plus
   * the longest the client may take with the rest (body-arrival.ts: the grace, then the minimum rate),
   * or, chunked, the whole call's cap. Never beyond the whole call's cap (`totalMs`, which no upstream
   * overrides): the edge stops the call by then, so no longer wait is promised, and an edge restarted
   * after a crash knows no write it sent carries a later one (write-fence.ts `maxWriteDeadlineMs`).
   */
  const writeDeadline = (request: ProxiedRequest, upstream: UpstreamTarget): number => {
    const { limits } = upstream;
    const { req } = request;
    let arrival = 0;
    if (!req.complete) {
      const length = Number(req.headers['content-length']);
      const { graceMs, minBytesPerSecond } = settings.bodyArrival;
      arrival = Number.isSafeInteger(length) && minBytesPerSecond > 0 ? graceMs + Math.ceil((length * 1000) / minBytesPerSecond) : limits.totalMs;
    }
    const deadline = deps.now() + Math.min(limits.queueMs + limits.responseMs + arrival, limits.totalMs);
    request.writeDeadline = Math.max(request.writeDeadline ?? 0, deadline);
    return deadline;
  };

  /** One attempt and its bookkeeping: an answer marks the request answered; a failure is counted on the breaker's permit (if any) and logged. */
  const tryOn = async (request: ProxiedRequest, side: Target, permit: BreakerPermit | undefined, mirror: boolean): Promise<AttemptOutcome> => {
    const outcome = await attempt(request, side, permit, mirror);
    if (outcome.kind === 'responded') request.answered = true;
    if (outcome.kind === 'failed') {
      if (countsAgainstUpstream(outcome.failure)) permit?.failure();
      else permit?.release();
      noteFailure(request, side, outcome.failure);
    }
    return outcome;
  };

  const attempt = (request: ProxiedRequest, side: Target, permit: BreakerPermit | undefined, mirror: boolean): Promise<AttemptOutcome> => {
    const { match, body } = request;
    const upstream = upstreamTarget(side === 'service' && match ? match.capability.service : request.table.monolith);
    const spec: AttemptSpec = {
      req: request.req,
      res: request.res,
      upstream,
      target: request.url,
      headers: request.safe ? request.headers : { ...request.headers, [WRITE_DEADLINE_HEADER]: String(writeDeadline(request, upstream)) },
      body,
      extraResponseHeaders: targetHeaders[side],
    };
    if (side === 'monolith' && mirror) spec.captureBytes = settings.shadowMaxBodyBytes;
    // Only an answer saying the service cannot serve counts against it at once; any other answer
    // counts as a success once it has been delivered whole (see settlePermit).
    const breakerSees = side === 'service' ? permit : undefined;
    spec.onResponseHead = (status: number) => {
      if (breakerSees && isUnavailableStatus(status)) breakerSees.failure();
      if (!request.safe) pinWrite(request, side, status);
    };
    if (breakerSees?.probe) spec.totalTimeoutMs = settings.probeTimeoutMs;
    // A service saying it cannot serve (502/503/504) is a failure like a refused connection: what may
    // be tried again is answered by the monolith instead.
    if (side === 'service' && body.replayable && request.safe) spec.refuseStatus = isUnavailableStatus;
    return deps.forwarder.attempt(spec);
  };

  /** The facts of a request the decision starts from; the rest are presumed until they matter (route-decision.ts). */
  const routeFacts = (request: ProxiedRequest, evaluation: CapabilityEvaluation): RouteFacts => {
    const { req, match, capability, safe } = request;
    let pin: Target | undefined;
    if (match && safe && deps.affinity.enabled && !deps.affinity.empty) pin = deps.affinity.sideFor(capability, callerKeys(req));
    return {
      ...PRESUMED,
      matched: match !== undefined,
      method: request.method,
      stage: evaluation.stage,
      inRollout: evaluation.inRollout,
      flagUnavailable: isFlagUnavailable(evaluation.reason),
      emergencyStop: match !== undefined && deps.stops.activeFor(match.capability.flag) !== undefined,
      pin,
    };
  };

  const serve = async (request: ProxiedRequest, evaluation: CapabilityEvaluation): Promise<void> => {
    const { req, res, match, capability, requestId, method, safe, hasIdempotencyKey, table } = request;
    if (evaluation.reason === 'error' && match) {
      metrics.flagEvaluationErrors.inc({ capability });
      deps.logger.warn({ err: evaluation.error, flag: match.capability.flag, requestId }, 'flag evaluation failed; the monolith serves');
    }
    request.stage = evaluation.stage;
    const { forwarding } = request;
    request.headers = outgoingRequestHeaders(req.headers, {
      forwardedFor: forwarding.forwardedFor,
      peerTrusted: forwarding.peerTrusted,
      protocol: request.encrypted ? 'https' : 'http',
      requestId,
      ...(deps.hop !== undefined ? { hop: deps.hop } : {}),
    });
    if (match && deps.affinity.enabled && !safe) request.writerKeys = callerKeys(req);
    let facts = routeFacts(request, evaluation);
    request.route = decideRoute(facts);
    // An open breaker keeps everyone on the monolith before any body is read; but a write of a user
    // whose writes the service holds never goes to the monolith (decision 0020): it is refused, retryable.
    const breaker = request.route.side === 'service' && match ? deps.breakers.for(capability, match.capability.service.url) : undefined;
    if (breaker?.state() === 'open') request.route = decideRoute((facts = { ...facts, breaker: 'open' }));
    if (request.route.pinned) metrics.readYourWrites.inc({ capability, side: facts.pin! });
    if (request.route.refused) return refuseWrite(request);
    if (request.route.mirrorSkipped === 'recent_write') deps.shadow.skip(capability, 'recent_write');
    // Asked last: a request that will not be mirrored for another reason is not counted as shed.
    if (request.route.mirror && !deps.shadow.admit(capability)) request.route = decideRoute((facts = { ...facts, shadow: 'shed' }));
    const { mirror } = request.route;

    const arrival = hasRequestBody(req.headers) ? new BodyArrival(req, forwarding.client, settings.bodyArrival, slowClients) : undefined;
    // A read a pin took to the monolith may go on to the service: it is held whole, like one for the service.
    if ((request.route.side === 'service' && (safe || hasIdempotencyKey)) || request.route.fallback === 'service') {
      const buffered = RequestBody.bufferedNow(req, settings.replayMaxBodyBytes, arrival);
      if (buffered instanceof Promise) {
        try {
          request.body = await buffered;
        } catch (error) {
          if (error instanceof BodyDeadlineError) return refuseClient(request, error.problem);
          return finish(request, 'aborted');
        }
      } else {
        request.body = buffered;
      }
    } else {
      request.body = RequestBody.streaming(req, arrival);
    }
    const { body } = request;

    // The permit is asked for once the body is in hand (or known to stream): a half-open breaker's
    // probe is only ever a request whose client cannot hold it up (circuit-breaker.ts).
    let permit: BreakerPermit | undefined;
    if (request.route.side === 'service' && breaker) {
      permit = breaker.tryAcquire(!body.present || body.buffered);
      if (!permit) {
        if (match && breaker.state() === 'half-open') probeReadiness(breaker, match.capability.service.url, settings.probeTimeoutMs);
        request.route = decideRoute((facts = { ...facts, breaker: 'refused' }));
        if (request.route.refused) return refuseWrite(request);
      }
    }

    if (request.fence) {
      const admitted = deps.fences.admit(request.fence, {
        bodyComplete: () => request.req.complete,
        abort: () => {
          // Half a body: no side can act on it. The connections go; the write ends as answered.
          request.abortedByFence = true;
          request.req.destroy();
        },
      });
      if (!admitted.ok) {
        permit?.release();
        request.route = decideRoute((facts = { ...facts, fence: 'raised' }));
        refuseFenced(req, res, requestId, admitted.capability, admitted.until);
        return finish(request, 503);
      }
      request.fenceDone = admitted.done;
    }
    let outcome = await tryOn(request, request.route.side, permit, mirror);
    if (outcome.kind === 'failed') {
      const failedSide = request.route.side;
      const failureFacts = { capability, safe, hasIdempotencyKey, responseTimeoutMs: table.monolith.responseTimeoutMs ?? settings.limits.responseMs };
      const { fallback } = request.route;
      const action = decideOnFailure({ ...failureFacts, side: failedSide, failure: outcome.failure, replayable: body.replayable, fallback });
      if (action.kind === 'retry-on-monolith') {
        request.fallback = failureLabel(outcome.failure);
        request.route = decideRoute((facts = { ...facts, serviceFailed: true }));
        outcome = await tryOn(request, request.route.side, undefined, mirror);
      } else if (action.kind === 'retry-on-service' && match) {
        // A read a pin took to the monolith, which gave no answer: the service its stage names answers it,
        // as it would have without the pin (decision 0012), through the service's breaker.
        request.fallback = failureLabel(outcome.failure);
        request.route = decideRoute((facts = { ...facts, monolithFailed: true }));
        const serviceBreaker = deps.breakers.for(capability, match.capability.service.url);
        permit = serviceBreaker.tryAcquire(!body.present || body.buffered);
        if (!permit) request.route = decideRoute((facts = { ...facts, breaker: serviceBreaker.state() === 'open' ? 'open' : 'refused' }));
        if (request.route.side === 'service') outcome = await tryOn(request, 'service', permit, false);
      }
      if (outcome.kind === 'failed') {
        const problem =
          action.kind === 'fail'
            ? action
            : request.route.side === 'service'
              ? { error: edgeErrors.serviceUnavailable(capability), retryAfter: true }
              : monolithFailure({ ...failureFacts, failure: outcome.failure });
        respondProblem(res, problem.error, problem.retryAfter, request.route.side, requestId);
        return finish(request, problem.error.status);
      }
    }
    if (outcome.kind === 'client-error') {
      permit?.release();
      return refuseClient(request, outcome.error);
    }
    if (outcome.kind === 'client-gone') {
      permit?.release();
      return finish(request, 'aborted');
    }

    const { response } = outcome;
    if (request.route.side === 'service') settlePermit(permit, response);
    if (mirror && match && response.completed && response.captured) {
      const primary = {
        status: response.status,
        headers: response.headers,
        body: response.captured.body,
        truncated: response.captured.truncated,
        latencyMs: performance.now() - request.started,
      };
      try {
        deps.shadow.submit({
          capability,
          routeKey: match.routeKey,
          method,
          url: request.url,
          headers: request.headers,
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
    if (!response.completed && response.brokenBy === 'upstream') {
      deps.logger.warn({ side: request.route.side, capability, requestId }, 'upstream broke off or stalled mid-response');
    }
    return finish(request, response.completed ? response.status : 'aborted');
  };

  /** A write the service holds authority for, while the service cannot take it: 503, retry with the same key. */
  const refuseWrite = (request: ProxiedRequest): void => {
    respondProblem(request.res, edgeErrors.serviceUnavailable(request.capability), true, request.route.side, request.requestId, hasRequestBody(request.req.headers));
    return finish(request, 503);
  };

  /** An unsafe request of a fenced capability: 503 WRITE_FENCED, Retry-After until the fence's expiry at most. */
  const refuseFenced = (req: IncomingMessage, res: ServerResponse, requestId: string, capability: string, until: number): void => {
    const retryAfter = Math.max(1, Math.min(settings.retryAfterSeconds, Math.ceil((until - deps.now()) / 1000)));
    metrics.refusals.inc({ code: 'WRITE_FENCED' });
    res.setHeader('retry-after', String(retryAfter));
    // The body is not read: the connection goes with the answer.
    if (hasRequestBody(req.headers)) res.setHeader('connection', 'close');
    writeProblem(res, writeFenced(capability, retryAfter), requestId);
  };

  /** A request this edge forwarded that came back to it: answered at once, never forwarded again. */
  const refuseLoop = (req: IncomingMessage, res: ServerResponse, requestId: string, url: string): void => {
    const error = requestErrors.forwardingLoop();
    metrics.refusals.inc({ code: error.code });
    deps.logger.error({ requestId, method: req.method, url }, 'a forwarded request came back to this edge: an upstream URL points at the edge itself');
    if (hasRequestBody(req.headers)) res.setHeader('connection', 'close');
    writeProblem(res, error, requestId);
  };

  /** A client too slow with its body: its answer (408/429), and the connection closed. */
  const refuseClient = (request: ProxiedRequest, error: AppError): void => {
    metrics.refusals.inc({ code: error.code });
    respondProblem(request.res, error, error.status === 429, request.route.side, request.requestId, true);
    return finish(request, error.status);
  };

  return (req: IncomingMessage, res: ServerResponse, requestTarget: RequestTarget): Promise<void> => {
    try {
      const started = performance.now();
      const { table, matcher, writers } = deps.routes.current();
      const method = (req.method ?? 'GET').toUpperCase();
      const url = requestTarget.query === '' ? requestTarget.path : requestTarget.path + requestTarget.query;
      const incomingId = req.headers[REQUEST_ID_HEADER];
      const requestId = acceptedRequestId(typeof incomingId === 'string' ? incomingId : undefined);
      res.setHeader(REQUEST_ID_HEADER, requestId);
      if (deps.hop !== undefined && req.headers[EDGE_HOP_HEADER] === deps.hop) return Promise.resolve(refuseLoop(req, res, requestId, url));
      const match = matcher.match(method, requestTarget.path);
      const peer = peerOf(req.socket);
      let fence: FenceTicket | undefined;
      if (!isSafeMethod(method)) {
        const written = match ? [match.capability.name] : writtenCapabilities(writers, method, requestTarget.path);
        if (written.length > 0) {
          const ticket = deps.fences.ticket(written);
          if (!ticket.ok) return Promise.resolve(refuseFenced(req, res, requestId, ticket.capability, ticket.until));
          fence = ticket;
        }
      }
      const request = new ProxiedRequest(req, res, table, match, method, url, requestId, started, forwardingOf(req, peer), peer.encrypted);
      request.fence = fence;
      if (!match && fence && deps.affinity.enabled) {
        request.writesThrough = writtenCapabilities(writers, method, requestTarget.path);
        request.writerKeys = callerKeys(req);
      }
      const evaluation = match ? evaluate(request, match) : UNMATCHED;
      const served = evaluation instanceof Promise ? evaluation.then((resolved) => serve(request, resolved)) : serve(request, evaluation);
      return fence ? served.finally(() => request.fenceDone?.(writeEnd(request))) : served;
    } catch (error) {
      // As from an async function: the caller answers 500 and logs it.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
}

/**
 * How a counted write ended for the fence: answered by the upstream (or cut off with half a body) is
 * over; otherwise the upstream may still do it until its deadline (decision 0038).
 */
function writeEnd(request: ProxiedRequest): WriteEnd {
  if (request.answered || request.abortedByFence || request.writeDeadline === undefined) return { answered: true };
  return { answered: false, deadline: request.writeDeadline };
}

/** The capabilities a monolith route writes besides its own (routes file `writtenThrough`). */
function writtenCapabilities(writers: RouteMatcher, method: string, path: string): string[] {
  const match = writers.match(method, path);
  return match ? [match.capability.name] : [];
}

/**
 * What a delivered answer says about the service (docs/decisions/0016-breaker-failures.md): an
 * unavailable status already counted; any other answer delivered whole is a success (a 4xx or a 500
 * is one request's problem, not the service's health); an answer the service broke off or let stall
 * is a failure; one the client walked away from says nothing.
 */
function settlePermit(permit: BreakerPermit | undefined, response: ForwardedResponse): void {
  if (!permit) return;
  if (response.completed) permit.success();
  else if (response.brokenBy === 'upstream') permit.failure();
  else permit.release();
}

/** One proxied request as it goes through the handler (one object rather than a dozen closures). */
class ProxiedRequest {
  readonly capability: string;
  readonly safe: boolean;
  readonly hasIdempotencyKey: boolean;
  stage: Stage = 'monolith';
  /** Where it goes and why; decided again as the proxy learns more (route-decision.ts). */
  route!: RouteDecision;
  /** Why the monolith answered a request meant for the service after a failure (a failure label). */
  fallback: string | undefined;
  headers: HeaderRecord = {};
  body!: RequestBody;
  /** Set for an unsafe request on a capability's route: the keys its write pins (see WriteAffinity). */
  writerKeys: string[] | undefined;
  /**
   * A monolith route that writes other capabilities' data too (`writtenThrough`: checkout pays in the
   * monolith): those capabilities, whose next reads by this caller follow the write (issue #11 §4).
   */
  writesThrough: string[] = [];
  /** An unsafe request of a capability (or a route writing one): the fences it saw on arrival. */
  fence: FenceTicket | undefined;
  /** Once sent upstream: ends its count among the writes in flight (see write-fence.ts). */
  fenceDone: ((end: WriteEnd) => void) | undefined;
  /** The latest deadline sent upstream with this write (epoch ms; decision 0038). */
  writeDeadline: number | undefined;
  /** The upstream answered (a response head): the write is over, whatever it did. */
  answered = false;
  /** Stopped by a fence raised while its body was still arriving: nothing was done. */
  abortedByFence = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly table: RoutingTable,
    readonly match: RouteMatch | undefined,
    readonly method: string,
    readonly url: string,
    readonly requestId: string,
    readonly started: number,
    /** Who sent it (the client address the flags bucket anonymous calls by, X-Forwarded-For). */
    readonly forwarding: ForwardingFacts,
    readonly encrypted: boolean,
  ) {
    this.capability = match?.capability.name ?? 'none';
    this.safe = isSafeMethod(method);
    this.hasIdempotencyKey = req.headers['idempotency-key'] !== undefined;
  }
}
