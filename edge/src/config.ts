import { z } from 'zod';
import { defaultManifestsDir } from '@strangler/cutover-model';
import { baseConfigShape, booleanFlag, loadConfig, peerSessionsShape, positiveMs, secret } from '@strangler/kit';
import { trustProxyProblem } from './http/trust-proxy';

const { PORT, LOG_LEVEL, SHUTDOWN_TIMEOUT_MS } = baseConfigShape({ port: 8080, databaseFile: '' });

const count = (fallback: number, min = 1) =>
  z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(min, `must be at least ${min}`).default(fallback);

const host = (fallback: string) => z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be an IP address or a host name').default(fallback);

/**
 * Header lines a Node upstream keeps by default before dropping the rest silently (about 1000:
 * measured on Node 20.20, it checks in batches of 32; Node 24 refuses such a request instead), less
 * the lines the edge adds itself (Host,
 * Connection, X-Forwarded-For/-Proto/-Host, X-Request-Id, framing).
 */
export const UPSTREAM_KEPT_HEADER_LINES = 1000 - 10;

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackHost(address: string): boolean {
  return address === 'localhost' || address === '::1' || address === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

export const edgeConfigSchema = z
  .object({
    PORT,
    /** The address the public listener binds (0.0.0.0: every interface). */
    HOST: host('0.0.0.0'),
    /**
     * A separate listener for `/_edge/*` and `/metrics` (the public port then answers neither). Unset:
     * they are served on the public port. docker-compose and Kubernetes set it.
     */
    EDGE_ADMIN_PORT: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0).max(65535).optional(),
    /** The address the admin listener binds; without EDGE_ADMIN_TOKEN it must be a loopback address. */
    EDGE_ADMIN_HOST: host('127.0.0.1'),
    LOG_LEVEL,
    SHUTDOWN_TIMEOUT_MS,
    /** The routes file (JSON): the monolith's URL and the rate-limit classes. Watched. */
    ROUTES_FILE: z.string().default('edge/routes.json'),
    /** The capability manifests, one `<name>.json` per capability: its flag, service, routes (decision 0040). Watched. */
    MANIFESTS_DIR: z.string().min(1).default(defaultManifestsDir),
    /**
     * Where the last routes file and manifests that loaded together are copied (one JSON document); a
     * start while either is invalid runs on them. Default: ROUTES_FILE.last-good.
     */
    ROUTES_BACKUP_FILE: z.string().min(1).optional(),
    /** The local flags file (an Unleash `/api/client/features` document), used when UNLEASH_URL is unset. Watched. */
    FLAGS_FILE: z.string().default('edge/flags.json'),
    /** Where the last flags file that loaded is copied; a start on an invalid flags file runs on it. Default: FLAGS_FILE.last-good. */
    FLAGS_BACKUP_FILE: z.string().min(1).optional(),
    /** How long file changes settle before a reload (editors write in several steps). */
    FILE_WATCH_DEBOUNCE_MS: positiveMs(100),
    /** A real Unleash server's client API, e.g. http://unleash:4242/api/. Unset: the local flags file. */
    UNLEASH_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** A backend (client) token of that Unleash server. */
    UNLEASH_API_TOKEN: z.string().min(1).optional(),
    UNLEASH_APP_NAME: z.string().min(1).default('strangler-edge'),
    UNLEASH_REFRESH_MS: positiveMs(5_000),
    /**
     * Flags older than this (no successful poll; e.g. this edge is cut off from Unleash) are reported
     * stale in /health/ready, /_edge/capabilities, edge_flag_source_stale and `strangler status`.
     */
    UNLEASH_STALE_AFTER_MS: positiveMs(30_000),
    /** unleash-client retries a fetch with a 1 s minimum back-off, so a timeout below 1 s breaks every fetch. */
    UNLEASH_TIMEOUT_MS: positiveMs(5_000).refine((ms) => ms >= 1_000, { message: 'must be at least 1000' }),
    /** Where the last flags fetched from Unleash are kept, so a restart while Unleash is down routes by them. */
    UNLEASH_BACKUP_DIR: z.string().default('.data/unleash-backup'),
    /**
     * Where this edge keeps its emergency stops (`strangler rollback --emergency`), so a restart keeps
     * them. Unset: in memory only (a restart forgets them; the edge warns at start).
     */
    EDGE_EMERGENCY_FILE: z.string().min(1).optional(),
    /** Write fence holds and writes in doubt kept across restarts (decisions 0039, 0038); unset: in memory, and a restart drops them. */
    EDGE_FENCE_FILE: z.string().min(1).optional(),
    /** Send usage metrics to the Unleash server. */
    UNLEASH_METRICS: booleanFlag(true),
    /**
     * Bearer token for /_edge/*. Unset leaves them open, which is only allowed on a loopback-only
     * listener (the admin port on a loopback EDGE_ADMIN_HOST, or the public port on a loopback HOST),
     * with a warning at start.
     */
    EDGE_ADMIN_TOKEN: secret(),
    ...peerSessionsShape(),
    /** How long a request waits for its bearer token's user id before routing by the token hash instead. */
    USER_LOOKUP_BUDGET_MS: positiveMs(250),
    USER_CACHE_SIZE: count(100_000),
    /**
     * Flag evaluations remembered per flag until its definition changes (two generations of this many
     * caller contexts each; 0 = evaluate every request). See src/flags/evaluation-cache.ts.
     */
    FLAG_CACHE_SIZE: count(50_000, 0),
    /**
     * The proxies in front of the edge whose X-Forwarded-For/-Proto/-Host are believed: express "trust
     * proxy" syntax (addresses, CIDRs, `loopback`, a hop count, true/false). Default: nobody (clients
     * connect directly); name your load balancers here (README: "Behind a load balancer").
     */
    TRUST_PROXY: z
      .string()
      .default('false')
      .superRefine((value, ctx) => {
        const problem = trustProxyProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /**
     * Where per-client rate limits (the routes file's `rateLimits`) are counted, shared by every edge:
     * a redis:// URL. Unset: each edge counts in its own memory. While Redis cannot answer, each edge
     * counts in memory (docs/decisions/0033).
     */
    RATE_LIMIT_REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    /** Prefix of the rate-limit keys in Redis (edges sharing limits share it; another environment on the same Redis takes another). */
    RATE_LIMIT_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/, 'must be 1 to 64 of A-Z a-z 0-9 : . _ -').default('edge-rl'),
    /** Longest wait for Redis on one request before that request is counted in memory instead. */
    RATE_LIMIT_REDIS_TIMEOUT_MS: positiveMs(100),
    /** Most header lines a request may carry (431 beyond): below what a Node upstream keeps, so the upstream sees every header the edge decided by. */
    MAX_REQUEST_HEADERS: count(500).refine((n) => n <= UPSTREAM_KEPT_HEADER_LINES, { message: `must be at most ${UPSTREAM_KEPT_HEADER_LINES} (a Node upstream keeps 1000 header lines)` }),
    /** A request body may take this long before the minimum rate applies (docs/decisions/0015-deadlines.md). */
    CLIENT_BODY_TIMEOUT_MS: positiveMs(10_000),
    /** ... and must then arrive at this rate at least: each byte buys 1/rate s more (408 when too slow). */
    CLIENT_BODY_MIN_BYTES_PER_SECOND: count(1_024),
    /** A body still arriving after this long makes its request slow. */
    CLIENT_SLOW_BODY_MS: positiveMs(2_000),
    /** Slow requests one client address may have at once (429 for the next; 0 = no limit). */
    CLIENT_MAX_SLOW_REQUESTS: count(16, 0),
    UPSTREAM_CONNECT_TIMEOUT_MS: positiveMs(1_000),
    /** Longest silence while waiting for an upstream's response head (the request body may still be flowing). */
    UPSTREAM_RESPONSE_TIMEOUT_MS: positiveMs(15_000),
    /** Longest wait for a free connection to an upstream: beyond it nothing was sent and the request falls back or gets 502. */
    UPSTREAM_QUEUE_TIMEOUT_MS: positiveMs(2_000),
    /** Longest silence in an upstream's response body once it started (not counting a slow client): a failure. */
    UPSTREAM_BODY_STALL_MS: positiveMs(10_000),
    /** The whole upstream call, from asking for a connection to the last byte of the answer. */
    UPSTREAM_TOTAL_TIMEOUT_MS: positiveMs(60_000),
    /**
     * How far the sides' clocks may run behind the edge's: a write the edge stopped waiting for stays
     * "in doubt" (holding a switch's drain) until its deadline plus this (decision 0038).
     */
    WRITE_DEADLINE_SKEW_MS: positiveMs(2_000),
    UPSTREAM_MAX_SOCKETS: count(256),
    /**
     * The HTTP client that forwards to the upstreams: `undici` (a keep-alive pool per upstream; about
     * twice the throughput of node's client here) or `node` (node:http with a keep-alive agent).
     * docs/decisions/0013-undici-forwarder.md.
     */
    UPSTREAM_CLIENT: z.enum(['undici', 'node'], { error: 'must be undici or node' }).default('undici'),
    /** Idle keep-alive sockets are closed after this, well before the upstreams' own keep-alive timeout (65 s). */
    UPSTREAM_IDLE_SOCKET_MS: positiveMs(30_000),
    /** Bodies buffered so a request can be replayed on the monolith (safe methods, Idempotency-Key). */
    REPLAY_MAX_BODY_BYTES: count(1024 * 1024),
    RETRY_AFTER_SECONDS: count(1),
    /** Consecutive failures that open a service's breaker. */
    BREAKER_FAILURE_THRESHOLD: count(5),
    /** Failure ratio over the rolling window that opens it (with at least BREAKER_MIN_REQUESTS calls). */
    BREAKER_ERROR_RATE: z.coerce.number({ error: 'must be a number' }).gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]').default(0.5),
    BREAKER_MIN_REQUESTS: count(20),
    BREAKER_WINDOW_MS: positiveMs(10_000),
    /** How long an open breaker keeps traffic on the monolith before one probe request is let through. */
    BREAKER_COOLDOWN_MS: positiveMs(5_000),
    /** The whole call of that probe: it decides for everyone, so it may not hang on. */
    BREAKER_PROBE_TIMEOUT_MS: positiveMs(2_000),
    /**
     * Read-your-writes: for this long after a caller's write to a capability, their reads of it go to the
     * side that took the write (when the stage lets that side serve reads at all), so a read never
     * races the sync worker carrying the write across. Cover the sync's lag; 0 turns it off.
     */
    READ_YOUR_WRITES_MS: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be at least 0').default(5_000),
    /** Callers remembered for read-your-writes (least recent writers forgotten first). */
    READ_YOUR_WRITES_CALLERS: count(100_000),
    SHADOW_MAX_CONCURRENT: count(8),
    SHADOW_MAX_QUEUE: count(200, 0),
    SHADOW_MAX_BODY_BYTES: count(1024 * 1024),
    SHADOW_TIMEOUT_MS: positiveMs(5_000),
    SHADOW_SAMPLE_SIZE: count(50, 0),
    /**
     * Mirror only while the edge's event loop was busy at most this share of the last 100 ms (0..1];
     * above it mirrored calls are dropped (`reason="busy"`) so shadowing never slows the client. 1: never.
     */
    SHADOW_MAX_LOOP_UTILIZATION: z.coerce.number({ error: 'must be a number' }).gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]').default(0.5),
    /**
     * The share of ordinary proxied requests written to the access log (`request finished`, info), 0..1.
     * A 5xx, a client that left early and a fallback to the monolith are always logged (warn for 5xx).
     */
    ACCESS_LOG_SAMPLE: z.coerce.number({ error: 'must be a number' }).min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').default(0.01),
    /** Add `x-strangler-target: monolith|service` to every proxied response. */
    TARGET_HEADER: booleanFlag(true),
  })
  .refine((config) => !config.UNLEASH_URL || config.UNLEASH_API_TOKEN, {
    message: 'is required when UNLEASH_URL is set',
    path: ['UNLEASH_API_TOKEN'],
  })
  .refine((config) => config.EDGE_ADMIN_TOKEN !== undefined || isLoopbackHost(adminListenHost(config)), {
    message: 'is required while the admin endpoints listen on a non-loopback address (set it, or EDGE_ADMIN_PORT with a loopback EDGE_ADMIN_HOST, or a loopback HOST)',
    path: ['EDGE_ADMIN_TOKEN'],
  })
  .refine((config) => config.UPSTREAM_TOTAL_TIMEOUT_MS >= config.UPSTREAM_RESPONSE_TIMEOUT_MS, {
    message: 'must be at least UPSTREAM_RESPONSE_TIMEOUT_MS',
    path: ['UPSTREAM_TOTAL_TIMEOUT_MS'],
  });

/** Where the admin endpoints listen: the admin port's address, or the public one's. */
export function adminListenHost(config: { EDGE_ADMIN_PORT?: number | undefined; EDGE_ADMIN_HOST: string; HOST: string }): string {
  return config.EDGE_ADMIN_PORT === undefined ? config.HOST : config.EDGE_ADMIN_HOST;
}

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;

export function readEdgeConfig(env: Record<string, string | undefined> = process.env): EdgeConfig {
  return loadConfig(edgeConfigSchema, env);
}

/** The environment `${VAR:-default}` placeholders in the routes file are resolved against (read once). */
export function interpolationEnvironment(env: Record<string, string | undefined> = process.env): Readonly<Record<string, string | undefined>> {
  return Object.freeze({ ...env });
}
