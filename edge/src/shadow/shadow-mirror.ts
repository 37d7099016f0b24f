import { BoundedWorkQueue } from './bounded-work-queue';
import { matchesAny } from './json-pointer';
import { NoiseModel } from './noise-model';
import { headerValue, readBody } from './response-body';
import { BODY_FIELD, bodySkipped, compareResponses, type ComparableResponse, type Difference } from './response-compare';
import { redactAt, redactHeaders, redactUrl } from './redaction';
import { OTHER, RouteReport, type MismatchSample } from './route-report';
import { createShadowMetrics } from './shadow-metrics';
import type { CapturedResponse, ShadowJob, ShadowMirror, ShadowOptions } from './shadow-types';
import { callUpstream, type UpstreamResult } from './upstream-request';
import { eventLoopLoad } from './event-loop-load';

/** Only these are ever replayed: a mirrored POST would pay twice. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_ROUTES = 256;
const MAX_FIELDS_PER_ROUTE = 50;
const MAX_SAMPLE_DIFFERENCES = 20;
const SHOWN_RESPONSE_HEADERS = ['content-type', 'set-cookie', 'www-authenticate'];

type MirroredSide = 'secondary' | 'candidate';

function requireInteger(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) throw new Error(`shadow: ${name} must be an integer >= ${minimum}, got ${value}`);
}

/** Why a job cannot be run as given, or undefined when it can. */
function invalidJob(job: ShadowJob): string | undefined {
  if (!job || typeof job !== 'object') return 'not an object';
  if (typeof job.capability !== 'string' || typeof job.routeKey !== 'string' || typeof job.method !== 'string') return 'missing capability, routeKey or method';
  // A path, never an absolute or protocol-relative URL: the target host comes from our config only.
  if (typeof job.url !== 'string' || !job.url.startsWith('/') || job.url.startsWith('//')) return 'url must be a path';
  if (!job.primary || !Buffer.isBuffer(job.primary.body) || typeof job.primary.status !== 'number') return 'missing primary response';
  if (!/^https?:\/\//.test(job.serviceUrl ?? '') || !/^https?:\/\//.test(job.monolithUrl ?? '')) return 'upstream urls must be http(s)';
  return undefined;
}

/** A copy the queue may hold: the body cut (and copied, so the big buffer can be freed) at maxBodyBytes. */
function boundedJob(job: ShadowJob, maxBodyBytes: number): ShadowJob {
  const { body } = job.primary;
  const cut = body.length > maxBodyBytes;
  return {
    ...job,
    headers: { ...job.headers },
    ignore: [...(job.ignore ?? [])],
    primary: { ...job.primary, body: cut ? Buffer.from(body.subarray(0, maxBodyBytes)) : body, truncated: job.primary.truncated || cut },
  };
}

function isIgnored(patterns: string[], field: string): boolean {
  return matchesAny(patterns, field) || (field === BODY_FIELD && matchesAny(patterns, ''));
}

function pickHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const picked: Record<string, string> = {};
  for (const name of SHOWN_RESPONSE_HEADERS) {
    const value = headerValue(headers, name);
    if (value !== undefined) picked[name] = value;
  }
  return redactHeaders(picked);
}

export function createShadowMirror(options: ShadowOptions): ShadowMirror {
  requireInteger('maxConcurrent', options.maxConcurrent, 1);
  requireInteger('maxQueue', options.maxQueue, 0);
  requireInteger('maxBodyBytes', options.maxBodyBytes, 1);
  requireInteger('timeoutMs', options.timeoutMs, 1);
  requireInteger('sampleSize', options.sampleSize, 0);
  if (!(options.maxLoopUtilization > 0 && options.maxLoopUtilization <= 1)) {
    throw new Error(`shadow: maxLoopUtilization must be in (0, 1], got ${options.maxLoopUtilization}`);
  }

  const logger = options.logger.child({ component: 'shadow' });
  const metrics = createShadowMetrics(options.registry);
  const noise = new NoiseModel();
  const reports = new Map<string, RouteReport>();
  const dropped = new Map<string, number>();
  const queue = new BoundedWorkQueue<ShadowJob>(options.maxConcurrent, options.maxQueue, (job) =>
    runJob(job).catch((error: unknown) => logger.error({ err: error, routeKey: job.routeKey }, 'shadow job failed unexpectedly')),
  );
  const reportedProblems = new Set<string>();
  const load = options.loadProbe ?? (options.maxLoopUtilization < 1 ? eventLoopLoad() : undefined);
  const busy = () => load !== undefined && load.utilization() > options.maxLoopUtilization;
  let closing: Promise<void> | undefined;

  function drop(capability: string, reason: string): void {
    metrics.dropped.inc({ capability, reason });
    dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
  }

  function reportFor(job: ShadowJob): RouteReport {
    const existing = reports.get(job.routeKey);
    if (existing) return existing;
    const routeKey = reports.size < MAX_ROUTES ? job.routeKey : OTHER;
    const report = reports.get(routeKey) ?? new RouteReport(job.capability, routeKey, options.sampleSize, MAX_FIELDS_PER_ROUTE);
    reports.set(routeKey, report);
    return report;
  }

  function comparable(response: CapturedResponse): ComparableResponse {
    return { status: response.status, headers: response.headers, body: readBody(response, options.maxBodyBytes) };
  }

  async function call(job: ShadowJob, side: MirroredSide, report: RouteReport): Promise<UpstreamResult> {
    const baseUrl = side === 'candidate' ? job.serviceUrl : job.monolithUrl;
    let result: UpstreamResult;
    try {
      result = await callUpstream({
        baseUrl,
        method: job.method,
        url: job.url,
        headers: job.headers,
        agent: options.agentFor(baseUrl),
        timeoutMs: options.timeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        shadowSide: side,
      });
    } catch (error) {
      result = { ok: false, error: (error as Error).message, latencyMs: 0 };
    }
    const latencyMs = result.ok ? result.response.latencyMs : result.latencyMs;
    metrics.duration.observe({ capability: job.capability, side }, latencyMs / 1000);
    if (!result.ok) {
      metrics.errors.inc({ capability: job.capability, side });
      report.errors[side] += 1;
      logger.debug({ routeKey: job.routeKey, side, error: result.error }, 'shadow call failed');
    }
    return result;
  }

  function sample(job: ShadowJob, candidate: CapturedResponse, differences: Difference[]): MismatchSample {
    return {
      at: new Date().toISOString(),
      requestId: headerValue(job.headers, 'x-request-id') ?? null,
      method: job.method,
      url: redactUrl(job.url),
      requestHeaders: redactHeaders(job.headers),
      monolith: { status: job.primary.status, headers: pickHeaders(job.primary.headers), latencyMs: Math.round(job.primary.latencyMs) },
      service: { status: candidate.status, headers: pickHeaders(candidate.headers), latencyMs: Math.round(candidate.latencyMs) },
      differences: differences.slice(0, MAX_SAMPLE_DIFFERENCES).map((d) => ({
        field: d.field,
        monolith: redactAt(d.field, d.left) ?? null,
        service: redactAt(d.field, d.right) ?? null,
      })),
    };
  }

  async function runJob(job: ShadowJob): Promise<void> {
    const report = reportFor(job);
    const { routeKey } = report; // past the route cap, the shared "other" bucket
    const { capability } = job;
    report.mirrored += 1;
    metrics.mirrored.inc({ capability, route: routeKey });
    metrics.duration.observe({ capability, side: 'primary' }, job.primary.latencyMs / 1000);

    const candidate = await call(job, 'candidate', report);
    if (!candidate.ok) return; // counted as a candidate error: the service failing is not a field mismatch
    const primary = comparable(job.primary);
    const service = comparable(candidate.response);
    if (bodySkipped(primary, service)) report.bodySkipped += 1;
    const unexplained = (fields: string[]) => (d: Difference) => !isIgnored(job.ignore, d.field) && !isIgnored(fields, d.field);
    const candidateDifferences = compareResponses(primary, service).filter(unexplained(noise.list(routeKey)));
    if (candidateDifferences.length === 0) {
      report.compared += 1;
      return;
    }

    // The service differs in fields not known as noise: ask the monolith again. Only then — a match
    // needs no second opinion, so a healthy route costs one mirrored call, not two. Without a second
    // monolith answer with the same status there is nothing to learn noise from, and reporting
    // unlearned noise as mismatches would be worse than not comparing.
    const secondary = await call(job, 'secondary', report);
    if (!secondary.ok || secondary.response.status !== primary.status) {
      report.inconclusive += 1;
      metrics.inconclusive.inc({ capability, route: routeKey });
      return;
    }
    // What differs between the two monolith answers is excluded from this comparison (whatever its
    // cause, even a write landing in between) and counts towards the route's learned noise.
    const selfDifferences = compareResponses(primary, comparable(secondary.response)).map((d) => d.field);
    const learned = noise.observe(routeKey, selfDifferences);
    if (learned.length > 0) logger.info({ routeKey, learned }, 'shadow learned noisy fields');
    const differences = candidateDifferences.filter(unexplained([...selfDifferences, ...noise.list(routeKey)]));
    report.compared += 1;
    if (differences.length === 0) return;

    report.mismatched += 1;
    for (const { label, first } of report.countFields(differences.map((d) => d.field))) {
      metrics.mismatches.inc({ capability, route: routeKey, field: label });
      if (first) logger.warn({ routeKey, field: label }, 'shadow mismatch on a new field');
    }
    report.addSample(sample(job, candidate.response, differences));
  }

  return {
    submit(job: ShadowJob): void {
      try {
        const problem = invalidJob(job);
        if (problem !== undefined) {
          drop(typeof job?.capability === 'string' ? job.capability : 'unknown', 'invalid_job');
          // A caller bug repeats on every request: say it once per kind, the counter has the rest.
          if (!reportedProblems.has(problem)) logger.warn({ problem }, 'shadow job refused');
          reportedProblems.add(problem);
          return;
        }
        if (!SAFE_METHODS.has(job.method.toUpperCase())) {
          drop(job.capability, 'unsafe_method');
          return;
        }
        // The client's latency first: while the edge's event loop is this busy, mirroring would take
        // time from the requests it serves.
        if (busy()) {
          drop(job.capability, 'busy');
          return;
        }
        const outcome = queue.offer(boundedJob(job, options.maxBodyBytes));
        if (outcome === 'full') drop(job.capability, 'queue_full');
        else if (outcome === 'closed') drop(job.capability, 'closed');
      } catch (error) {
        // The client's request must never see a failure of the mirror.
        try {
          logger.error({ err: error }, 'shadow submit failed');
        } catch {
          // nothing left to do
        }
      }
    },

    admit(capability: string): boolean {
      if (!busy()) return true;
      drop(capability, 'busy');
      return false;
    },

    skip(capability: string, reason: 'recent_write'): void {
      drop(capability, reason);
    },

    mismatches() {
      return {
        routes: [...reports.values()].map((report) => report.toJSON(noise.list(report.routeKey))),
        dropped: [...dropped.values()].reduce((sum, n) => sum + n, 0),
        droppedByReason: Object.fromEntries(dropped),
        inFlight: queue.inFlight,
        queued: queue.queued,
        limits: { maxConcurrent: options.maxConcurrent, maxQueue: options.maxQueue, maxBodyBytes: options.maxBodyBytes, timeoutMs: options.timeoutMs, sampleSize: options.sampleSize },
      };
    },

    close(): Promise<void> {
      closing ??= (async () => {
        load?.stop();
        for (const job of queue.close()) drop(job.capability, 'closed');
        await queue.whenIdle();
      })();
      return closing;
    },
  };
}
