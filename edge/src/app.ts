import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import express from 'express';
import type { Registry } from 'prom-client';
import { PeerSessionsClient, type Logger } from '@strangler/kit';
import { adminRoutes } from './admin/admin-routes';
import type { EdgeConfig } from './config';
import type { FlagSource, FlagSourceStatus } from './flags/flag-source';
import { withEmergencyStops } from './emergency/emergency-flag-source';
import { EmergencyStops } from './emergency/emergency-stops';
import { healthRoutes, metricsRoute, type InputState, type PoolState } from './health/health-routes';
import { edgeErrorHandler } from './http/error-handler';
import { frontDoor } from './http/front-door';
import { edgeRequestId } from './http/request-id';
import type { TrustFunction } from './http/client-address';
import { memoizeTrust, trustProxySetting } from './http/trust-proxy';
import { UserResolver, type SessionPeers } from './identity/user-resolver';
import { createEdgeMetrics, type EdgeMetrics } from './metrics/edge-metrics';
import { WriteAffinity } from './consistency/write-affinity';
import { WriteFences } from './consistency/write-fence';
import { FenceFile } from './consistency/fence-file';
import { rolloutOfDefinition, stageOfDefinition } from '@strangler/cutover-model';
import { Forwarder, type RequestForwarder } from './proxy/forwarder';
import { UndiciForwarder } from './proxy/undici-forwarder';
import { createAccessLog } from './proxy/access-log';
import { proxyHandler } from './proxy/proxy-handler';
import { UpstreamAgents } from './proxy/upstream-agents';
import { BreakerRegistry } from './resilience/breaker-registry';
import type { RoutesProvider } from './routing/routes-source';
import { createShadowMirror, type ShadowMirror } from './shadow';
import { docsRoutes } from './openapi/docs-routes';
import { ClientLimiter } from './rate-limits/client-limiter';
import { rateLimited } from './rate-limits/rate-limit-gate';
import type { Redis } from 'ioredis';
import { PublicDocument } from './openapi/upstream-documents';

export interface EdgeDeps {
  config: EdgeConfig;
  routes: RoutesProvider;
  flags: FlagSource;
  /** Emergency stops (`strangler rollback --emergency`); default: in memory. */
  stops?: EmergencyStops;
  logger: Logger;
  /** Metrics (and so the registry) may be made first, so the flag and routes sources can report to them. */
  metrics?: EdgeMetrics;
  /** Epoch milliseconds; breakers and lookups read time only through this. */
  now?: () => number;
  /** Monotonic milliseconds (write fences); default performance.now. */
  monotonic?: () => number;
  agents?: UpstreamAgents;
  /** Resolves bearer tokens to user ids; defaults to kit's PeerSessionsClient over AUTH_PEERS. */
  peers?: SessionPeers;
  shadow?: ShadowMirror;
  /** The aggregated `GET /openapi.json`; defaults to one asking the upstreams at most every 30 s. */
  publicDocument?: PublicDocument;
  /** Where the routes file's rate limits are counted (shared by every edge); none: this edge's memory. */
  rateLimitRedis?: Redis;
}

export interface Edge {
  /** The public listener's handler: health, the proxy, and the admin endpoints unless they have their own port. */
  handler: RequestListener;
  /** With EDGE_ADMIN_PORT: the admin listener's handler (health, `/_edge/*`, `/metrics`). */
  adminHandler: RequestListener | undefined;
  registry: Registry;
  breakers: BreakerRegistry;
  isReady(): boolean;
  /** Saves the fence file, stops the shadow mirror and drops upstream connections (the sources passed in are the caller's to close). */
  close(): Promise<void>;
}

/**
 * The edge as a request handler: its own endpoints (health, metrics, `/_edge/*`) and, for everything
 * else, the proxy that picks the monolith or a service per request. Listening is server.ts's job.
 */
export function buildEdge(edgeDeps: EdgeDeps): Edge {
  const { config, logger } = edgeDeps;
  // Every look at the flags goes through the emergency stops first (routing, admin, metrics, readiness).
  const stops = edgeDeps.stops ?? new EmergencyStops(undefined, logger.child({ component: 'emergency' }));
  const deps = { ...edgeDeps, flags: withEmergencyStops(edgeDeps.flags, stops) };
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
    onLookup: (result) => metrics.onUserLookup(result),
  });
  const forwarder: RequestForwarder =
    config.UPSTREAM_CLIENT === 'undici'
      ? new UndiciForwarder({ maxSockets: config.UPSTREAM_MAX_SOCKETS, idleSocketMs: config.UPSTREAM_IDLE_SOCKET_MS })
      : new Forwarder();
  // Holds and doubts by a monotonic clock (a stepped wall clock moves neither); epoch times for people.
  // How this edge routes a capability now, as /_edge/capabilities reports it: what an `until` hold waits for.
  const routedAs = (name: string) => {
    const capability = deps.routes.current().table.capabilities.find((c) => c.name === name);
    if (!capability) return undefined;
    const definition = deps.flags.client()?.getFeatureToggleDefinition(capability.flag);
    return { stage: stageOfDefinition(definition), percentage: rolloutOfDefinition(definition) };
  };
  // This edge process: its fences' boot id, and the id it forwards requests with (a loop comes back with it).
  const bootId = randomUUID();
  const fences = new WriteFences({
    wall: now,
    monotonic: deps.monotonic ?? (() => performance.now()),
    skewMarginMs: config.WRITE_DEADLINE_SKEW_MS,
    // The proxy caps every write's deadline at the whole call's cap (proxy-handler.ts `writeDeadline`).
    maxWriteDeadlineMs: config.UPSTREAM_TOTAL_TIMEOUT_MS,
    bootId,
    routedAs,
    ...(config.EDGE_FENCE_FILE ? { file: new FenceFile(config.EDGE_FENCE_FILE) } : {}),
    log: logger.child({ component: 'fences' }),
  });
  const affinity = new WriteAffinity({ windowMs: config.READ_YOUR_WRITES_MS, capacity: config.READ_YOUR_WRITES_CALLERS, now });

  const publicDocument =
    deps.publicDocument ??
    new PublicDocument({ routes: deps.routes, logger, now, refreshMs: 30_000, timeoutMs: 2_000, info: { title: 'Public API', version: '0.1.0' } });
  const flagsState = (status: FlagSourceStatus): InputState => (!status.ready ? 'failing' : status.fromBackup ? 'degraded' : status.stale ? 'stale' : 'ok');
  const ownApp = (withAdmin: boolean, withDocs: boolean) => {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
    app.use(edgeRequestId());
    app.use(healthRoutes({ routes: () => (deps.routes.status()?.fromBackup ? 'degraded' : 'ok'), flags: () => flagsState(deps.flags.status()), pools }));
    if (withDocs) app.use(docsRoutes(publicDocument));
    if (withAdmin) {
      app.use(metricsRoute(metrics.registry));
      app.use('/_edge', adminRoutes({ adminToken: config.EDGE_ADMIN_TOKEN, routes: deps.routes, flags: deps.flags, stops, breakers, shadow, affinity, fences }));
    }
    app.use(edgeErrorHandler(logger));
    return app;
  };
  const pools = (): PoolState[] => {
    const { table } = deps.routes.current();
    const states: PoolState[] = [{ upstream: 'monolith', monolith: true, queued: forwarder.queued(new URL(table.monolith.url).origin) }];
    for (const capability of table.capabilities) states.push({ upstream: capability.name, monolith: false, queued: forwarder.queued(new URL(capability.service.url).origin) });
    return states;
  };
  metrics.observe({
    breakers: () => breakers.snapshots(),
    flags: () => deps.flags.status(),
    queued: () => pools().map(({ upstream, queued }) => ({ upstream, queued })),
    fences: () => deps.routes.current().table.capabilities.map((c) => fences.snapshot(c.name)),
  });
  const trust = (() => {
    const probe = express();
    probe.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
    return memoizeTrust(probe.get('trust proxy fn') as TrustFunction);
  })();
  const proxy = proxyHandler({
    routes: deps.routes,
    flags: deps.flags,
    users,
    breakers,
    agents,
    forwarder,
    shadow,
    affinity,
    fences,
    stops,
    now,
    metrics,
    logger,
    accessLog: createAccessLog(logger, { sampleRate: config.ACCESS_LOG_SAMPLE }),
    settings: {
      targetHeader: config.TARGET_HEADER,
      replayMaxBodyBytes: config.REPLAY_MAX_BODY_BYTES,
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
      connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
      limits: {
        queueMs: config.UPSTREAM_QUEUE_TIMEOUT_MS,
        responseMs: config.UPSTREAM_RESPONSE_TIMEOUT_MS,
        stallMs: config.UPSTREAM_BODY_STALL_MS,
        totalMs: config.UPSTREAM_TOTAL_TIMEOUT_MS,
      },
      probeTimeoutMs: config.BREAKER_PROBE_TIMEOUT_MS,
      bodyArrival: {
        graceMs: config.CLIENT_BODY_TIMEOUT_MS,
        minBytesPerSecond: config.CLIENT_BODY_MIN_BYTES_PER_SECOND,
        slowAfterMs: config.CLIENT_SLOW_BODY_MS,
        maxSlowPerClient: config.CLIENT_MAX_SLOW_REQUESTS,
      },
      shadowMaxBodyBytes: config.SHADOW_MAX_BODY_BYTES,
    },
    trust,
    hop: bootId,
  });

  const limitedProxy = rateLimited(proxy, {
    routes: deps.routes,
    users,
    trust,
    limiter: new ClientLimiter({ redis: deps.rateLimitRedis, keyPrefix: config.RATE_LIMIT_REDIS_PREFIX }),
    registry: metrics.registry,
    logger,
    ...(deps.rateLimitRedis ? { redisReady: () => deps.rateLimitRedis?.status === 'ready' } : {}),
  });

  // Proxied requests skip express: its per-request setup halved the edge's throughput (edge/bench).
  const separateAdmin = config.EDGE_ADMIN_PORT !== undefined;
  const door = (serveAdmin: boolean, withProxy: boolean) =>
    frontDoor({
      own: ownApp(serveAdmin, withProxy),
      ...(withProxy ? { proxy: limitedProxy } : {}),
      serveAdmin,
      serveDocs: withProxy,
      maxHeaders: config.MAX_REQUEST_HEADERS,
      onRefused: (code) => metrics.refusals.inc({ code }),
      logger,
    });
  const handler = door(!separateAdmin, true);
  const adminHandler = separateAdmin ? door(true, false) : undefined;

  return {
    handler,
    adminHandler,
    registry: metrics.registry,
    breakers,
    isReady: () => deps.flags.status().ready,
    async close() {
      // What a storm of writes given up on has not saved yet goes to the fence file before the edge stops.
      fences.close();
      await shadow.close();
      forwarder.close();
      if (!deps.agents) agents.destroy();
    },
  };
}

