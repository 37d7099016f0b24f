import type { RequestListener } from 'node:http';
import express from 'express';
import type { Registry } from 'prom-client';
import { httpErrors, PeerSessionsClient, type Logger } from '@strangler/kit';
import { adminRoutes } from './admin/admin-routes';
import type { EdgeConfig } from './config';
import type { FlagSource } from './flags/flag-source';
import { healthRoutes } from './health/health-routes';
import { edgeErrorHandler } from './http/error-handler';
import { edgeRequestId } from './http/request-id';
import type { TrustFunction } from './http/client-address';
import { writeProblem } from './http/problem-response';
import { memoizeTrust, trustProxySetting } from './http/trust-proxy';
import { UserResolver, type SessionPeers } from './identity/user-resolver';
import { createEdgeMetrics, type EdgeMetrics } from './metrics/edge-metrics';
import { WriteAffinity } from './consistency/write-affinity';
import { Forwarder, type RequestForwarder } from './proxy/forwarder';
import { UndiciForwarder } from './proxy/undici-forwarder';
import { createAccessLog } from './proxy/access-log';
import { proxyHandler } from './proxy/proxy-handler';
import { UpstreamAgents } from './proxy/upstream-agents';
import { BreakerRegistry } from './resilience/breaker-registry';
import type { RoutesProvider } from './routing/routes-source';
import { createShadowMirror, type ShadowMirror } from './shadow';

export interface EdgeDeps {
  config: EdgeConfig;
  routes: RoutesProvider;
  flags: FlagSource;
  logger: Logger;
  /** Metrics (and so the registry) may be made first, so the flag and routes sources can report to them. */
  metrics?: EdgeMetrics;
  /** Epoch milliseconds; breakers and lookups read time only through this. */
  now?: () => number;
  agents?: UpstreamAgents;
  /** Resolves bearer tokens to user ids; defaults to kit's PeerSessionsClient over AUTH_PEERS. */
  peers?: SessionPeers;
  shadow?: ShadowMirror;
}

export interface Edge {
  handler: RequestListener;
  registry: Registry;
  breakers: BreakerRegistry;
  isReady(): boolean;
  /** Stops the shadow mirror and drops upstream connections (the sources passed in are the caller's to close). */
  close(): Promise<void>;
}

/**
 * The edge as a request handler: its own endpoints (health, metrics, `/_edge/*`) and, for everything
 * else, the proxy that picks the monolith or a service per request. Listening is server.ts's job.
 */
export function buildEdge(deps: EdgeDeps): Edge {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const metrics = deps.metrics ?? createEdgeMetrics();
  const agents = deps.agents ?? new UpstreamAgents({ maxSockets: config.UPSTREAM_MAX_SOCKETS, idleSocketMs: config.UPSTREAM_IDLE_SOCKET_MS });
  const breakers = new BreakerRegistry(
    {
      failureThreshold: config.BREAKER_FAILURE_THRESHOLD,
      errorRate: config.BREAKER_ERROR_RATE,
      minRequests: config.BREAKER_MIN_REQUESTS,
      windowMs: config.BREAKER_WINDOW_MS,
      cooldownMs: config.BREAKER_COOLDOWN_MS,
    },
    now,
    (upstream, to) => {
      metrics.breakerTransitions.inc({ upstream, to });
      logger[to === 'open' ? 'warn' : 'info']({ upstream, breaker: to }, `circuit breaker ${to}`);
    },
  );
  metrics.observe({ breakers: () => breakers.snapshots(), flags: () => deps.flags.status() });
  const shadow =
    deps.shadow ??
    createShadowMirror({
      registry: metrics.registry,
      logger,
      maxConcurrent: config.SHADOW_MAX_CONCURRENT,
      maxQueue: config.SHADOW_MAX_QUEUE,
      maxBodyBytes: config.SHADOW_MAX_BODY_BYTES,
      timeoutMs: config.SHADOW_TIMEOUT_MS,
      agentFor: (baseUrl) => agents.agentFor(baseUrl),
      sampleSize: config.SHADOW_SAMPLE_SIZE,
      maxLoopUtilization: config.SHADOW_MAX_LOOP_UTILIZATION,
    });
  const peers =
    deps.peers ??
    new PeerSessionsClient({
      peers: config.AUTH_PEERS,
      internalToken: config.INTERNAL_API_TOKEN,
      timeoutMs: config.PEER_TIMEOUT_MS,
      logger: logger.child({ component: 'peer-sessions' }),
    });
  const users = new UserResolver({
    peers,
    capacity: config.USER_CACHE_SIZE,
    budgetMs: config.USER_LOOKUP_BUDGET_MS,
    now,
    onLookup: metrics.onUserLookup,
  });
  const forwarder: RequestForwarder =
    config.UPSTREAM_CLIENT === 'undici'
      ? new UndiciForwarder({ maxSockets: config.UPSTREAM_MAX_SOCKETS, idleSocketMs: config.UPSTREAM_IDLE_SOCKET_MS })
      : new Forwarder();
  const affinity = new WriteAffinity({ windowMs: config.READ_YOUR_WRITES_MS, capacity: config.READ_YOUR_WRITES_CALLERS, now });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  app.use(edgeRequestId());
  app.use(healthRoutes({ routes: () => true, flags: () => deps.flags.status().ready }, metrics.registry));
  app.use('/_edge', adminRoutes({ adminToken: config.EDGE_ADMIN_TOKEN, routes: deps.routes, flags: deps.flags, breakers, shadow, affinity }));
  const proxy = proxyHandler({
    routes: deps.routes,
    flags: deps.flags,
    users,
    breakers,
    agents,
    forwarder,
    shadow,
    affinity,
    metrics,
    logger,
    accessLog: createAccessLog(logger, { sampleRate: config.ACCESS_LOG_SAMPLE }),
    settings: {
      targetHeader: config.TARGET_HEADER,
      replayMaxBodyBytes: config.REPLAY_MAX_BODY_BYTES,
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
      connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: config.UPSTREAM_RESPONSE_TIMEOUT_MS,
      shadowMaxBodyBytes: config.SHADOW_MAX_BODY_BYTES,
    },
    trust: memoizeTrust(app.get('trust proxy fn') as TrustFunction),
  });
  app.use(edgeErrorHandler(logger));

  // Proxied requests skip express: its per-request setup halved the edge's throughput (edge/bench).
  const handler: RequestListener = (req, res) => {
    if (isEdgeEndpoint(req.url ?? '/')) {
      app(req, res);
      return;
    }
    proxy(req, res).catch((error: unknown) => {
      logger.error({ err: error, method: req.method, url: req.url }, 'unhandled proxy error');
      if (res.headersSent) res.destroy();
      else writeProblem(res, httpErrors.internal(), String(res.getHeader('x-request-id') ?? ''));
    });
  };

  return {
    handler,
    registry: metrics.registry,
    breakers,
    isReady: () => deps.flags.status().ready,
    async close() {
      await shadow.close();
      forwarder.close();
      if (!deps.agents) agents.destroy();
    },
  };
}

const OWN_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/** The edge's own endpoints (health, metrics, `/_edge/*`); everything else is proxied. */
function isEdgeEndpoint(url: string): boolean {
  // Every own path starts with `/h`, `/m` or `/_` (any case): most proxied URLs are told apart here.
  const second = url.charCodeAt(1);
  if (second !== 0x68 && second !== 0x48 && second !== 0x6d && second !== 0x4d && second !== 0x5f) return false;
  const path = url.split('?', 1)[0]!.toLowerCase().replace(/(.)\/$/, '$1');
  return OWN_PATHS.has(path) || path === '/_edge' || path.startsWith('/_edge/');
}
