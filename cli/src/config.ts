import path from 'node:path';
import { z } from 'zod';
import { defaultManifestsDir } from '@strangler/cutover-model';
import { ConfigError, loadConfig, positiveMs, secret, urlList } from '@strangler/kit';
import { CliError } from './cli-error';
import { EXIT } from './exit-codes';

/** The repository root (cli/dist/.. or cli/src/..): default file paths are resolved against it, not the cwd. */
const REPO_ROOT = path.resolve(__dirname, '../..');
const httpUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const DEFAULT_SYNC_URLS = ['http://127.0.0.1:9470', 'http://127.0.0.1:9471'];

/** What `strangler` reads from the environment, validated once (the data commands read their own). */
export const cliConfigSchema = z.object({
  /** The edge's base URL (its /_edge/* admin endpoints and /metrics). */
  EDGE_URL: httpUrl().default('http://127.0.0.1:8080'),
  /**
   * Every edge's base URL (admin listener), comma-separated: a switch of write authority fences and
   * confirms on each (decision 0018). Default: EDGE_URL alone.
   */
  EDGE_URLS: urlList(),
  /** Bearer token of the edge's admin endpoints, when the edge has one. */
  EDGE_ADMIN_TOKEN: secret(),
  /**
   * Base URLs of the sync workers (`strangler data sync`), comma-separated; each reports its capability
   * and directions on /metrics. Default: the ones `npm start` runs (auth on 9470, payments on 9471).
   */
  SYNC_URLS: urlList(),
  /** Same as SYNC_URLS (one or several); both are read. */
  SYNC_URL: urlList(),
  /** A real Unleash server (base URL; a trailing /api/ is accepted). With UNLEASH_ADMIN_TOKEN, flips go through its Admin API. */
  UNLEASH_URL: httpUrl().optional(),
  /** An admin API token of that server (sent as `Authorization`). */
  UNLEASH_ADMIN_TOKEN: z.string().min(1).optional(),
  UNLEASH_PROJECT: z.string().min(1).default('default'),
  UNLEASH_ENVIRONMENT: z.string().min(1).default('development'),
  /** The local flags file the edge watches when it runs without Unleash. */
  FLAGS_FILE: z.string().default(path.join(REPO_ROOT, 'edge/flags.json')),
  /** The capability manifests (one `<name>.json` each): which capabilities exist and which flag each one uses. */
  MANIFESTS_DIR: z.string().min(1).default(defaultManifestsDir),
  /** A sync worker whose oldest unapplied change is older than this is "lagging": stage changes that need it are refused. */
  STRANGLER_MAX_SYNC_LAG_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).positive('must be positive').default(5),
  /**
   * How long a switch of write authority may hold writes to drain what is in flight on the edges and
   * the old writer's changelog backlog; past it the switch is refused (nothing changed, fence lowered).
   */
  STRANGLER_FENCE_DRAIN_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).positive('must be positive').max(30, 'at most 30 s').default(5),
  /** Timeout of each HTTP call the CLI makes (edge, sync workers, Unleash). */
  STRANGLER_HTTP_TIMEOUT_MS: positiveMs(3_000),
});

export type CliConfig = z.infer<typeof cliConfigSchema> & { syncUrls: string[]; edgeUrls: string[]; unleashBaseUrl: string | undefined };

export function readCliConfig(env: Record<string, string | undefined>): CliConfig {
  let config: z.infer<typeof cliConfigSchema>;
  try {
    config = loadConfig(cliConfigSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  const syncUrls = [...new Set([...config.SYNC_URLS, ...config.SYNC_URL])];
  return {
    ...config,
    syncUrls: syncUrls.length ? syncUrls : DEFAULT_SYNC_URLS,
    edgeUrls: (config.EDGE_URLS.length ? config.EDGE_URLS : [config.EDGE_URL]).map((url) => url.replace(/\/+$/, '')),
    // The edge is given the client API (…/api/); the admin API hangs off the server's base URL.
    unleashBaseUrl: config.UNLEASH_URL?.replace(/\/+$/, '').replace(/\/api$/, ''),
  };
}
