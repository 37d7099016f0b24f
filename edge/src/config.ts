import { z } from 'zod';
import { baseConfigShape, booleanFlag, loadConfig, peerSessionsShape, positiveMs, secret } from '@strangler/kit';
import { trustProxyProblem } from './http/trust-proxy';

const { PORT, LOG_LEVEL, SHUTDOWN_TIMEOUT_MS } = baseConfigShape({ port: 8080, databaseFile: '' });

const count = (fallback: number, min = 1) =>
  z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(min, `must be at least ${min}`).default(fallback);

export const edgeConfigSchema = z
  .object({
    PORT,
    LOG_LEVEL,
    SHUTDOWN_TIMEOUT_MS,
    /** The routes file (JSON): monolith URL, capabilities, their services, flags and routes. Watched. */
    ROUTES_FILE: z.string().default('edge/routes.json'),
    /** The local flags file (an Unleash `/api/client/features` document), used when UNLEASH_URL is unset. Watched. */
    FLAGS_FILE: z.string().default('edge/flags.json'),
    /** How long file changes settle before a reload (editors write in several steps). */
    FILE_WATCH_DEBOUNCE_MS: positiveMs(100),
    /** A real Unleash server's client API, e.g. http://unleash:4242/api/. Unset: the local flags file. */
    UNLEASH_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** A backend (client) token of that Unleash server. */
    UNLEASH_API_TOKEN: z.string().min(1).optional(),
    UNLEASH_APP_NAME: z.string().min(1).default('strangler-edge'),
    UNLEASH_REFRESH_MS: positiveMs(5_000),
    /** unleash-client retries a fetch with a 1 s minimum back-off, so a timeout below 1 s breaks every fetch. */
    UNLEASH_TIMEOUT_MS: positiveMs(5_000).refine((ms) => ms >= 1_000, { message: 'must be at least 1000' }),
    /** Where the last flags fetched from Unleash are kept, so a restart while Unleash is down routes by them. */
    UNLEASH_BACKUP_DIR: z.string().default('.data/unleash-backup'),
    /** Send usage metrics to the Unleash server. */
    UNLEASH_METRICS: booleanFlag(true),
    /** Bearer token for /_edge/*; unset leaves the admin endpoints open (a warning is logged). */
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
    /** Which peers may set X-Forwarded-*: express "trust proxy" syntax (names, CIDRs, hop count, true/false). */
    TRUST_PROXY: z
      .string()
      .default('loopback, linklocal, uniquelocal')
      .superRefine((value, ctx) => {
        const problem = trustProxyProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    UPSTREAM_CONNECT_TIMEOUT_MS: positiveMs(1_000),
    /** Longest silence while waiting for an upstream's response head (the request body may still be flowing). */
    UPSTREAM_RESPONSE_TIMEOUT_MS: positiveMs(15_000),
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
  });

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;

export function readEdgeConfig(env: Record<string, string | undefined> = process.env): EdgeConfig {
  return loadConfig(edgeConfigSchema, env);
}

/** The environment `${VAR:-default}` placeholders in the routes file are resolved against (read once). */
export function interpolationEnvironment(env: Record<string, string | undefined> = process.env): Readonly<Record<string, string | undefined>> {
  return Object.freeze({ ...env });
}
