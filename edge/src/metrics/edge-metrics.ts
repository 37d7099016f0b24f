import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { FlagSourceKind, FlagSourceObserver, FlagSourceStatus } from '../flags/flag-source';
import type { LookupResult } from '../identity/user-resolver';
import type { BreakerSnapshot, BreakerState } from '../resilience/circuit-breaker';
import { RequestHistogram, type Series } from './request-histogram';

const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export interface EdgeMetrics {
  registry: Registry;
  requests: Counter<'capability' | 'target' | 'status' | 'stage'>;
  duration: RequestHistogram<'capability' | 'target' | 'status'>;
  fallbacks: Counter<'capability' | 'reason'>;
  upstreamFailures: Counter<'upstream' | 'kind'>;
  breakerTransitions: Counter<'upstream' | 'to'>;
  flagEvaluationErrors: Counter<'capability'>;
  /** Reads sent to the side of the caller's recent write rather than the side their flag named. */
  readYourWrites: Counter<'capability' | 'side'>;
  fileReloads: Counter<'file' | 'outcome'>;
  userLookups: Counter<'result'>;
  /** Requests the edge answered itself with a 4xx before routing or forwarding them, by problem code. */
  refusals: Counter<'code'>;
  flagObserver: FlagSourceObserver;
  /** edge_requests_total and edge_request_duration_seconds for one proxied request. */
  recordProxiedRequest(capability: string, target: string, status: number | 'aborted', stage: string, reason: string, seconds: number): void;
  onUserLookup(result: LookupResult): void;
  /** Late binding of what the collected gauges read (they exist before the edge that owns the data). */
  observe(sources: ObservedSources): void;
}

/** What the collected gauges read. */
export interface ObservedSources {
  breakers: () => BreakerSnapshot[];
  flags: () => FlagSourceStatus;
  /** Requests waiting for a free upstream connection, per upstream (monolith or capability). */
  queued?: () => Array<{ upstream: string; queued: number }>;
  /** Each capability's write fence (decision 0018). */
  fences?: () => Array<{ capability: string; raised: boolean; inFlightWrites: number }>;
}

/** The edge's metrics, on its own registry (shared with the shadow module, which adds its own). */
export function createEdgeMetrics(options: { registry?: Registry; defaultMetrics?: boolean } = {}): EdgeMetrics {
  const registry = options.registry ?? new Registry();
  if (!options.registry) registry.setDefaultLabels({ service: 'edge' });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let sources: ObservedSources | undefined;

  const flagRefreshes = new Counter({ name: 'edge_flag_source_refreshes_total', help: 'Successful flag refreshes by source', labelNames: ['source'] as const, registers });
  const flagErrors = new Counter({
    name: 'edge_flag_source_errors_total',
    help: 'Flag source problems (fetch failures, rejected flag files) by source and severity',
    labelNames: ['source', 'severity'] as const,
    registers,
  });

  new Gauge({
    name: 'edge_flag_source_last_success_age_seconds',
    help: 'Seconds since the flag source last refreshed successfully (-1: never)',
    labelNames: ['source'] as const,
    registers,
    collect() {
      if (!sources) return;
      const status = sources.flags();
      this.set({ source: status.kind }, status.lastSuccessAt === undefined ? -1 : (Date.now() - status.lastSuccessAt) / 1000);
    },
  });
  new Gauge({
    name: 'edge_flag_source_stale',
    help: '1 while the flags have not been refreshed within UNLEASH_STALE_AFTER_MS (Unleash unreachable from this edge)',
    labelNames: ['source'] as const,
    registers,
    collect() {
      if (!sources) return;
      const status = sources.flags();
      this.set({ source: status.kind }, status.stale ? 1 : 0);
    },
  });
  new Gauge({
    name: 'edge_emergency_stop',
    help: '1 for a capability an operator sent to the monolith on this edge (strangler rollback --emergency), whatever its flag says',
    labelNames: ['capability'] as const,
    registers,
    collect() {
      if (!sources) return;
      this.reset();
      for (const stop of sources.flags().emergencyStops ?? []) this.set({ capability: stop.capability }, 1);
    },
  });
  new Gauge({
    name: 'edge_flag_source_ready',
    help: '1 once flags have been loaded',
    labelNames: ['source'] as const,
    registers,
    collect() {
      if (!sources) return;
      const status = sources.flags();
      this.set({ source: status.kind }, status.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'edge_circuit_breaker_state',
    help: 'Circuit breaker state per service upstream: 0 closed, 1 half-open, 2 open',
    labelNames: ['upstream'] as const,
    registers,
    collect() {
      if (!sources) return;
      this.reset();
      for (const breaker of sources.breakers()) this.set({ upstream: breaker.name }, BREAKER_STATE_VALUE[breaker.state]);
    },
  });

  new Gauge({
    name: 'edge_write_fence_raised',
    help: 'Whether a capability\'s writes are fenced (1) while its write authority moves (decision 0018); one raised for long is a switch that died',
    labelNames: ['capability'] as const,
    registers,
    collect() {
      if (!sources?.fences) return;
      this.reset();
      for (const fence of sources.fences()) this.set({ capability: fence.capability }, fence.raised ? 1 : 0);
    },
  });
  new Gauge({
    name: 'edge_write_fence_in_flight_writes',
    help: 'Unsafe requests of a capability sent upstream and not yet answered (what a switch of write authority drains)',
    labelNames: ['capability'] as const,
    registers,
    collect() {
      if (!sources?.fences) return;
      this.reset();
      for (const fence of sources.fences()) this.set({ capability: fence.capability }, fence.inFlightWrites);
    },
  });

  new Gauge({
    name: 'edge_upstream_queued_requests',
    help: 'Requests waiting for a free connection to an upstream (more than 0: its pool is exhausted)',
    labelNames: ['upstream'] as const,
    registers,
    collect() {
      if (!sources?.queued) return;
      this.reset();
      for (const { upstream, queued } of sources.queued()) this.set({ upstream }, queued);
    },
  });

  // Per-request counters count into plain numbers per label combination, handed to prom-client when it
  // collects (a scrape): the same totals, without prom-client hashing the labels on every request.
  const pendingLookups = new Map<LookupResult, { labels: { result: LookupResult }; count: number }>();
  const userLookups = new Counter({
    name: 'edge_user_lookups_total',
    help: 'Bearer token → user id resolutions by result',
    labelNames: ['result'] as const,
    registers,
    collect() {
      for (const pending of pendingLookups.values()) flush(this, pending);
    },
  });
  type RequestLabels = { capability: string; target: string; status: string; stage: string; reason: string };
  type PendingRequests = { labels: RequestLabels; count: number; duration: Series<'capability' | 'target' | 'status'> };
  const pendingRequests: PendingRequests[] = [];
  // capability → target → reason → stage → status: found without building a key string per request.
  const pendingByLabels = new Map<string, Map<string, Map<string, Map<string, Map<number | 'aborted', PendingRequests>>>>>();
  const requests = new Counter({
    name: 'edge_requests_total',
    help: 'Proxied requests by capability (none = unmatched), serving side, status, stage and the routing reason (edge/src/routing/route-decision.ts)',
    labelNames: ['capability', 'target', 'status', 'stage', 'reason'] as const,
    registers,
    collect() {
      for (const pending of pendingRequests) flush(this, pending);
    },
  });
  const duration = new RequestHistogram(
    'edge_request_duration_seconds',
    'Proxied request duration by capability, serving side and status',
    ['capability', 'target', 'status'] as const,
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  );

  return {
    registry,
    requests,
    duration,
    recordProxiedRequest(capability, target, status, stage, reason, seconds) {
      let byTarget = pendingByLabels.get(capability);
      if (!byTarget) pendingByLabels.set(capability, (byTarget = new Map()));
      let byReason = byTarget.get(target);
      if (!byReason) byTarget.set(target, (byReason = new Map()));
      let byStage = byReason.get(reason);
      if (!byStage) byReason.set(reason, (byStage = new Map()));
      let byStatus = byStage.get(stage);
      if (!byStatus) byStage.set(stage, (byStatus = new Map()));
      let pending = byStatus.get(status);
      if (!pending) {
        const labels = { capability, target, status: String(status), stage, reason };
        pending = { labels, count: 0, duration: duration.handle({ capability, target, status: labels.status }) };
        byStatus.set(status, pending);
        pendingRequests.push(pending);
      }
      pending.count += 1;
      pending.duration.observe(seconds);
    },
    fallbacks: new Counter({
      name: 'edge_fallbacks_total',
      help: 'Requests meant for a service that the monolith served instead, by reason',
      labelNames: ['capability', 'reason'] as const,
      registers,
    }),
    upstreamFailures: new Counter({
      name: 'edge_upstream_failures_total',
      help: 'Upstream calls that produced no response, by upstream and kind (connect, timeout, reset)',
      labelNames: ['upstream', 'kind'] as const,
      registers,
    }),
    breakerTransitions: new Counter({
      name: 'edge_circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes',
      labelNames: ['upstream', 'to'] as const,
      registers,
    }),
    readYourWrites: new Counter({
      name: 'edge_read_your_writes_total',
      help: "Reads served by the side that took the caller's recent write instead of the side the flag named, by capability and side",
      labelNames: ['capability', 'side'] as const,
      registers,
    }),
    flagEvaluationErrors: new Counter({
      name: 'edge_flag_evaluation_errors_total',
      help: 'Flag evaluations that failed (the monolith served)',
      labelNames: ['capability'] as const,
      registers,
    }),
    fileReloads: new Counter({
      name: 'edge_config_reloads_total',
      help: 'Reloads of watched files (routes, flags) by outcome: applied, invalid (last good kept), unchanged',
      labelNames: ['file', 'outcome'] as const,
      registers,
    }),
    userLookups,
    refusals: new Counter({
      name: 'edge_refused_requests_total',
      help: 'Requests the edge refused itself before routing or forwarding them (bad target, Connection games, too many headers, slow bodies), by problem code',
      labelNames: ['code'] as const,
      registers,
    }),
    flagObserver: {
      refreshed: (kind: FlagSourceKind) => flagRefreshes.inc({ source: kind }),
      failed: (kind: FlagSourceKind, severity: 'error' | 'warn') => flagErrors.inc({ source: kind, severity }),
    },
    onUserLookup: (result) => {
      let pending = pendingLookups.get(result);
      if (!pending) pendingLookups.set(result, (pending = { labels: { result }, count: 0 }));
      pending.count += 1;
    },
    observe(given) {
      sources = given;
    },
  };
}

/** Hands what was counted since the last collection to prom-client. */
function flush<L extends string>(counter: Counter<L>, pending: { labels: Record<L, string>; count: number }): void {
  if (pending.count === 0) return;
  counter.inc(pending.labels as never, pending.count);
  pending.count = 0;
}
