import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, type RunningServer } from '@strangler/kit';
import { readEdgeConfig, type EdgeConfig } from '../config';
import { listenEdge } from '../edge-listeners';
import { buildFlagsDocument, type CapabilityFlagSetting } from '@strangler/cutover-model';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../runtime';

type Route = { methods: string | string[]; path: string; shadow?: { ignore: string[] }; rateLimit?: string };

/** A capability's manifest, less its name (the key) and databases (defaulted: the edge does not read them). */
export interface ManifestShape {
  service: { url: string; timeouts?: { connectMs?: number; responseMs?: number } };
  flag?: string;
  routes: Route[];
  writtenThrough?: Array<Omit<Route, 'shadow'>>;
  shadow?: { ignore: string[] };
  databases?: { monolith: { url: string }; service: { url: string } };
}

/** What the edge routes by: the routes file (monolith, rate limits) and one manifest per capability. */
export interface RoutesFileShape {
  monolith: { url: string; timeouts?: { connectMs?: number; responseMs?: number } };
  rateLimits?: unknown;
  capabilities: Record<string, ManifestShape>;
}

const SHIPPED_MANIFESTS = path.resolve(__dirname, '../../../manifests');

/**
 * What the shipped manifest of a capability of that name says about its data (its databases and
 * mappings, mapping files by absolute path), so that `strangler` run over these manifests finds the
 * data engine's capabilities as in production. The edge itself reads neither.
 */
function shippedData(name: string): { databases?: unknown; data?: unknown } {
  const file = path.join(SHIPPED_MANIFESTS, `${name}.json`);
  if (!existsSync(file)) return {};
  const shipped = JSON.parse(readFileSync(file, 'utf8')) as { databases: unknown; data?: { mappings: Array<Record<string, string>> } };
  if (!shipped.data) return { databases: shipped.databases };
  const mappings = shipped.data.mappings.map((reference) => (reference.file ? { file: path.join(SHIPPED_MANIFESTS, reference.file) } : reference));
  return { databases: shipped.databases, data: { ...shipped.data, mappings } };
}

/** The routes file's text and each manifest's, as the edge reads them from disk. */
export function inputTexts(routes: RoutesFileShape, manifestsDir = 'manifests'): { routes: string; manifests: Array<{ file: string; text: string }> } {
  const { capabilities, ...file } = routes;
  return {
    routes: JSON.stringify(file, null, 2),
    manifests: Object.entries(capabilities).map(([name, manifest]) => ({
      file: path.join(manifestsDir, `${name}.json`),
      text: JSON.stringify({ name, databases: { monolith: { url: 'm.sqlite' }, service: { url: `${name}.sqlite` } }, ...shippedData(name), ...manifest }, null, 2),
    })),
  };
}

/** Writes the routes file and one manifest per capability into `dir` (atomically each): what an edge started elsewhere reads. */
export function writeEdgeInputs(dir: string, routes: RoutesFileShape): { routesFile: string; manifestsDir: string } {
  const routesFile = path.join(dir, 'routes.json');
  const manifestsDir = path.join(dir, 'manifests');
  mkdirSync(manifestsDir, { recursive: true });
  const texts = inputTexts(routes, manifestsDir);
  for (const { file, text } of [...texts.manifests, { file: routesFile, text: texts.routes }]) {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }
  return { routesFile, manifestsDir };
}

/** The production routes file's capabilities, pointed at the given upstreams. */
export function standardRoutes(urls: { monolith: string; auth: string; payments: string }): RoutesFileShape {
  return {
    monolith: { url: urls.monolith },
    capabilities: {
      auth: {
        service: { url: urls.auth },
        routes: [
          { methods: 'POST', path: '/api/auth/register' },
          { methods: 'POST', path: '/api/auth/login' },
          { methods: 'GET', path: '/api/auth/me' },
          { methods: 'POST', path: '/api/auth/logout' },
        ],
      },
      payments: {
        service: { url: urls.payments },
        routes: [
          { methods: ['GET', 'POST'], path: '/api/payments' },
          { methods: 'GET', path: '/api/payments/:id', shadow: { ignore: [] } },
          { methods: 'POST', path: '/api/payments/:id/capture' },
          { methods: 'POST', path: '/api/payments/:id/void' },
          { methods: 'POST', path: '/api/payments/:id/refunds' },
          { methods: '*', path: '/api/test/*' },
        ],
      },
    },
  };
}

export interface TestEdge {
  url: string;
  /** The admin listener's URL, when EDGE_ADMIN_PORT is given (e.g. '0'). */
  adminUrl: string | undefined;
  config: EdgeConfig;
  runtime: EdgeRuntime;
  server: RunningServer;
  dir: string;
  /** Rewrites the flags file the way an operator's tool would (write + rename, atomic). */
  setFlags(settings: CapabilityFlagSetting[]): void;
  writeFlagsText(text: string): void;
  /** Rewrites the routes file and the manifests (a string: the routes file's text alone). */
  writeRoutes(routes: RoutesFileShape | string): void;
  manifestsDir: string;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export function monolithOnly(): CapabilityFlagSetting[] {
  return [
    { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
    { capability: 'payments', enabled: false, stage: 'monolith', rollout: 0 },
  ];
}

/** The edge as production wires it (config → runtime), on port 0, over a temporary routes file, manifests and flags file. */
export async function startTestEdge(options: {
  routes: RoutesFileShape;
  flags?: CapabilityFlagSetting[];
  env?: Record<string, string>;
  overrides?: EdgeRuntimeOptions['overrides'];
}): Promise<TestEdge> {
  const dir = mkdtempSync(path.join(tmpdir(), 'edge-test-'));
  const routesFile = path.join(dir, 'routes.json');
  const flagsFile = path.join(dir, 'flags.json');
  const manifestsDir = path.join(dir, 'manifests');
  mkdirSync(manifestsDir);
  const atomicWrite = (file: string, text: string) => {
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
  };
  const writeRoutes = (routes: RoutesFileShape | string) => {
    if (typeof routes === 'string') return atomicWrite(routesFile, routes);
    const texts = inputTexts(routes, manifestsDir);
    const kept = new Set(texts.manifests.map((m) => path.basename(m.file)));
    for (const name of readdirSync(manifestsDir)) if (!kept.has(name)) rmSync(path.join(manifestsDir, name));
    for (const manifest of texts.manifests) atomicWrite(manifest.file, manifest.text);
    atomicWrite(routesFile, texts.routes);
  };
  const setFlags = (settings: CapabilityFlagSetting[]) => atomicWrite(flagsFile, JSON.stringify(buildFlagsDocument(settings)));
  writeRoutes(options.routes);
  setFlags(options.flags ?? monolithOnly());
  const config = readEdgeConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ROUTES_FILE: routesFile,
    MANIFESTS_DIR: manifestsDir,
    FLAGS_FILE: flagsFile,
    FILE_WATCH_DEBOUNCE_MS: '20',
    UPSTREAM_CONNECT_TIMEOUT_MS: '500',
    UPSTREAM_RESPONSE_TIMEOUT_MS: '2000',
    ...options.env,
  });
  const logger = createLogger({ name: 'edge', level: config.LOG_LEVEL });
  const runtime = await createEdgeRuntime(config, { env: {}, logger, ...(options.overrides ? { overrides: options.overrides } : {}) });
  const listeners = await listenEdge(runtime.edge, config);
  const server = listeners.public;
  return {
    url: server.url,
    adminUrl: listeners.admin?.url,
    config,
    runtime,
    server,
    dir,
    manifestsDir,
    setFlags,
    writeFlagsText: (text) => atomicWrite(flagsFile, text),
    writeRoutes,
    metrics: () => runtime.edge.registry.metrics(),
    async stop() {
      await listeners.close(1_000);
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
