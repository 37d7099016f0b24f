import type { CliConfig } from '../config';
import { CliError } from '../cli-error';
import { isStage, readsPercent, writesPercent } from '@strangler/cutover-model';
import type { BlockersOutcome } from '../gates/gate-runner';
import { otherEdgeProblems, readOtherEdges, type FleetEdge } from './edge-fleet-status';
import { EdgeClient, type EdgeCapabilities, type EdgeCapability, type EdgeFence, type EdgeRoutesFile, type ShadowRoute } from '../sources/edge-client';
import type { HttpOptions } from '../sources/http-json';
import { histogramQuantile, select, subtract, sum, type Sample } from '../sources/prometheus-text';
import { undeclaredSyncProblem } from './undeclared-sync';
import { readSyncWorkers, type SyncWorker } from '../sources/sync-client';

export interface SideTraffic {
  requests: number;
  /** 5xx answers (and requests aborted before an answer). */
  errors: number;
  /** errors / requests; null without requests. */
  errorRate: number | null;
  p99Ms: number | null;
}

export interface CapabilityStatus {
  capability: string;
  flag: string;
  flagFound: boolean;
  enabled: boolean;
  stage: string;
  percentage: number;
  readsPercent: number;
  writesPercent: number;
  shadow: boolean;
  mismatches: { compared: number; mismatched: number; rate: number | null };
  sides: { monolith: SideTraffic; service: SideTraffic };
  breaker: string;
  /** Requests meant for the service that the monolith served instead, by reason (breaker_open, connect, reset, timeout). */
  fallbacks: Record<string, number>;
  /** Reads the edge sent to the side of the caller's recent write rather than the flag's side. */
  pinnedReads: number;
  /** False when its manifest declares no data: nothing to sync (`sync` is empty unless a worker carries it all the same: a problem). */
  movesData: boolean;
  sync: Array<{ direction: string; url: string; ready: boolean; lagSeconds: number; pending: number; errors: number }>;
  /** When a direction has changes waiting or a worker is not ready: which row each direction waits on, and its quarantine (from the changelogs). */
  blockers?: Record<string, string> | { error: string };
  /** The edge's write fence (decision 0018), absent on an edge without fences. */
  fence?: { raised: boolean; expiresAt?: number; holders: string[]; inFlightWrites: number };
}

export interface StatusReport {
  edge: { url: string; reachable: boolean; flagSource?: EdgeCapabilities['flags']; readYourWritesMs?: number; error?: string };
  /** Traffic figures cover this many seconds (`--window`), or the edge's whole life when null. */
  windowSeconds: number | null;
  capabilities: CapabilityStatus[];
  /** The edges of EDGE_URLS besides EDGE_URL. */
  otherEdges: FleetEdge[];
  syncWorkers: Array<{ url: string; reachable: boolean; ready: boolean; error?: string; readiness?: string; runs: string[] }>;
  problems: string[];
}

const ERROR_STATUS = (status: string | undefined) => status === 'aborted' || (status !== undefined && /^5\d\d$/.test(status));

function traffic(samples: readonly Sample[], capability: string, target: string): SideTraffic {
  const counts = select(samples, 'edge_request_duration_seconds_count', { capability, target });
  const requests = sum(counts);
  const errors = sum(counts.filter((s) => ERROR_STATUS(s.labels.status)));
  const p99 = histogramQuantile(0.99, select(samples, 'edge_request_duration_seconds_bucket', { capability, target }));
  return { requests, errors, errorRate: requests ? errors / requests : null, p99Ms: p99 === undefined ? null : Math.round(p99 * 1000 * 10) / 10 };
}

function shadowCounts(routes: readonly ShadowRoute[], capability: string) {
  const mine = routes.filter((r) => r.capability === capability);
  const compared = mine.reduce((n, r) => n + r.compared, 0);
  const mismatched = mine.reduce((n, r) => n + r.mismatched, 0);
  return { compared, mismatched, rate: compared ? mismatched / compared : null };
}

function shadowDelta(after: readonly ShadowRoute[], before: readonly ShadowRoute[]): ShadowRoute[] {
  const earlier = new Map(before.map((r) => [`${r.capability} ${r.routeKey}`, r]));
  return after.map((r) => {
    const b = earlier.get(`${r.capability} ${r.routeKey}`);
    return b && r.compared >= b.compared ? { ...r, compared: r.compared - b.compared, mismatched: r.mismatched - b.mismatched } : r;
  });
}

export interface StatusDeps {
  config: CliConfig;
  http: HttpOptions;
  sleep(ms: number): Promise<void>;
  /** What each direction waits on (the data engine's status); asked only for a capability whose sync is behind. */
  blockers?(capability: string): Promise<BlockersOutcome>;
  /** What is wrong with the capability manifests this CLI reads (MANIFESTS_DIR), each naming file, capability and field. */
  manifestProblems?(): string[];
  /** Whether a capability's manifest declares data to move (false: no sync to show or wait on); undefined: not known here. */
  movesData?(capability: string): boolean | undefined;
}

/**
 * Everything `strangler status` shows, read from the edge (admin endpoints, /metrics) and the sync
 * workers (/metrics, /health/ready). Parts that cannot be reached are reported, not fatal.
 */
export async function collectStatus(deps: StatusDeps, options: { capability?: string; windowSeconds?: number }): Promise<StatusReport> {
  const { config } = deps;
  const edge = new EdgeClient(config.EDGE_URL.replace(/\/+$/, ''), config.EDGE_ADMIN_TOKEN, deps.http);
  const problems: string[] = [];
  const edgeRead = async () => Promise.all([edge.capabilities(), edge.shadowRoutes(), edge.metrics(), edge.fences().catch((): EdgeFence[] => [])]);
  problems.push(...manifestProblems(deps.manifestProblems?.() ?? []));
  const routesFile = edge.routesFile().catch((): undefined => undefined);
  let edgeData: Awaited<ReturnType<typeof edgeRead>> | undefined;
  let edgeError: string | undefined;
  const dataless = (name: string) => deps.movesData?.(name) === false;
  // Asked about one capability that moves no data: the workers are asked only whether one carries it
  // all the same (undeclared-sync.ts); one that cannot be reached is not this capability's problem.
  const onlyDataless = options.capability !== undefined && dataless(options.capability);
  const [workers, otherEdges] = await Promise.all([
    readSyncWorkers(config.syncUrls, deps.http),
    readOtherEdges(config.edgeUrls, edge.url, config.EDGE_ADMIN_TOKEN, deps.http, options.capability),
    (async () => {
      try {
        edgeData = await edgeRead();
        if (options.windowSeconds) {
          const before = edgeData;
          await deps.sleep(options.windowSeconds * 1000);
          const after = await edgeRead();
          edgeData = [after[0], shadowDelta(after[1], before[1]), subtract(after[2], before[2]), after[3]];
        }
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        edgeError = error.message;
        problems.push(error.message);
      }
    })(),
  ]);
  for (const w of workers) if (!w.reachable && !onlyDataless) problems.push(w.error ?? `cannot reach the sync worker at ${w.url}`);

  const capabilities: CapabilityStatus[] = [];
  if (edgeData) {
    const [caps, routes, samples, fences] = edgeData;
    for (const c of caps.capabilities) {
      if (options.capability && c.capability !== options.capability) continue;
      const stage = isStage(c.stage) ? c.stage : 'monolith';
      const fence = fences.find((f) => f.capability === c.capability);
      capabilities.push({
        capability: c.capability,
        flag: c.flag,
        flagFound: c.flagFound,
        enabled: c.enabled,
        stage: c.stage,
        percentage: c.percentage,
        readsPercent: readsPercent({ stage, percentage: c.percentage }),
        writesPercent: writesPercent({ stage, percentage: c.percentage }),
        shadow: stage === 'shadow' && c.percentage > 0,
        mismatches: shadowCounts(routes, c.capability),
        sides: { monolith: traffic(samples, c.capability, 'monolith'), service: traffic(samples, c.capability, 'service') },
        breaker: c.breaker,
        fallbacks: Object.fromEntries(
          select(samples, 'edge_fallbacks_total', { capability: c.capability })
            .filter((f) => f.value > 0)
            .map((f) => [f.labels.reason ?? 'unknown', f.value]),
        ),
        pinnedReads: sum(select(samples, 'edge_read_your_writes_total', { capability: c.capability })),
        movesData: !dataless(c.capability),
        sync: syncOf(workers, c.capability),
        ...(fence ? { fence: { raised: fence.raised, ...(fence.expiresAt ? { expiresAt: fence.expiresAt } : {}), holders: fence.holds.map((h) => h.owner), inFlightWrites: fence.inFlightWrites } } : {}),
      });
    }
    await Promise.all(
      capabilities.map(async (c) => {
        if (!deps.blockers || !c.movesData || c.sync.every((s) => s.ready && s.pending === 0)) return;
        const found = await deps.blockers(c.capability);
        c.blockers = found.ok ? found.byDirection : { error: found.error };
      }),
    );
    for (const c of capabilities) {
      const undeclared = c.movesData ? undefined : undeclaredSyncProblem(workers, c.capability);
      if (undeclared) problems.push(`${c.capability}: ${undeclared}`);
    }
    for (const c of capabilities) {
      if (c.fence?.raised) problems.push(`${c.capability}: writes are fenced (held by ${c.fence.holders.join(', ')}): a switch of write authority is under way, or one died and its fence expires by itself`);
    }
    const windowMs = caps.readYourWrites?.windowMs;
    for (const c of capabilities) {
      if (c.stage !== 'reads' && c.stage !== 'live') continue;
      for (const s of c.sync) {
        if (windowMs === undefined || s.lagSeconds * 1000 <= windowMs) continue;
        problems.push(
          `${c.capability}: sync ${s.direction} is ${s.lagSeconds.toFixed(1)} s behind, more than the edge's read-your-writes window (${windowMs / 1000} s): ` +
            'a user reading right after their own write can miss it (READ_YOUR_WRITES_MS, or find why the sync lags)',
        );
      }
    }
    problems.push(...flagSourceProblems(edge.url, caps.flags));
    problems.push(...routesFileProblems(edge.url, await routesFile));
    for (const c of caps.capabilities) if (!options.capability || c.capability === options.capability) problems.push(...handEditProblems(c));
    if (options.capability && capabilities.length === 0) problems.push(`the edge does not route a capability named ${options.capability}`);
  }
  for (const other of otherEdges) if (other.flags) problems.push(...flagSourceProblems(other.url, other.flags));
  problems.push(...otherEdgeProblems(otherEdges, { url: edge.url, capabilities }));
  return {
    edge: {
      url: edge.url,
      reachable: edgeData !== undefined,
      ...(edgeData ? { flagSource: edgeData[0].flags } : {}),
      ...(edgeData?.[0].readYourWrites ? { readYourWritesMs: edgeData[0].readYourWrites.windowMs } : {}),
      ...(edgeError ? { error: edgeError } : {}),
    },
    windowSeconds: options.windowSeconds || null,
    capabilities,
    otherEdges,
    syncWorkers: workers.map((w) => ({
      url: w.url,
      reachable: w.reachable,
      ready: w.ready,
      ...(w.error ? { error: w.error } : {}),
      ...(w.readiness ? { readiness: w.readiness } : {}),
      runs: w.directions.map((d) => `${d.capability} ${d.direction}`),
    })),
    problems,
  };
}

function syncOf(workers: readonly SyncWorker[], capability: string): CapabilityStatus['sync'] {
  return workers.flatMap((w) =>
    w.directions
      .filter((d) => d.capability === capability)
      .map((d) => ({ direction: d.direction, url: w.url, ready: w.ready, lagSeconds: d.lagSeconds, pending: d.pending, errors: d.errors })),
  );
}

/** An edge routing by flags that may be out of date says so (issue #13 §7: one edge cut off from Unleash kept the old stage). */
function flagSourceProblems(url: string, flags: EdgeCapabilities['flags']): string[] {
  const problems: string[] = [];
  if (flags.stale) problems.push(`edge ${url}: its flags are stale — no refresh from ${flags.where} for ${flags.ageSeconds ?? '?'} s: a flip made since is not applied there`);
  for (const stop of flags.emergencyStops ?? []) {
    problems.push(
      `edge ${url}: EMERGENCY STOP on ${stop.capability} since ${stop.since} by ${stop.by} (${stop.reason}): it goes to the monolith whatever its flag says — ` +
        `\`strangler emergency clear ${stop.capability}\` once the flag says what you want`,
    );
  }
  if (flags.fromBackup) problems.push(`edge ${url}: its flags file is invalid (${flags.lastError ?? '?'}); it runs on the last good copy ${flags.fromBackup}`);
  return problems;
}

/** A refused edit of the edge's routes file or manifests: it routes by the last good version meanwhile. */
function routesFileProblems(url: string, file: EdgeRoutesFile | undefined): string[] {
  if (!file) return [];
  const why = file.lastError ? file.lastError.errors.join('; ') : '?';
  if (file.fromBackup) return [`edge ${url}: its routes file or manifests are invalid (${why}); it started on the last good copy ${file.fromBackup}`];
  if (file.lastError) return [`edge ${url}: an edit of its routes file or manifests was refused at ${file.lastError.at} (${why}); it routes by the last good version`];
  return [];
}

/** The manifests as this CLI reads them (MANIFESTS_DIR): a problem here stops flips, and the edge keeps its last good version. */
function manifestProblems(problems: readonly string[]): string[] {
  return problems.map((problem) => `manifest: ${problem} — strangler flip refuses until it is fixed; the edge keeps its last good version`);
}

/**
 * A flag changed outside `strangler` routes users by a state no gate judged (issue #13 §7: a stage
 * raised in the Unleash UI, `stickiness: random` splitting one user's requests between the sides, the
 * environment switched off and on again). An emergency stop is reported on its own.
 */
function handEditProblems(c: EdgeCapability): string[] {
  if (c.emergencyStop) return [];
  const problems: string[] = [];
  if (c.approved === false) {
    problems.push(
      `${c.capability}: its flag was changed outside strangler (it reads ${c.enabled ? 'on' : 'off'}, ${c.stage} ${c.percentage}%, stickiness ${c.stickiness ?? '?'}): ` +
        `no gate approved that — \`strangler flip ${c.capability} --stage <stage> --percent <n>\` (gated) or \`strangler rollback ${c.capability}\``,
    );
  }
  if (c.stickiness && c.stickiness !== 'default') {
    problems.push(`${c.capability}: its flag's stickiness is ${c.stickiness}, not default: one user's requests can go to both sides (the next flip sets it back)`);
  }
  return problems;
}
