import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, type RunningServer } from '@strangler/kit';
import { readEdgeConfig, type EdgeConfig } from '../../src/config';
import { listenEdge } from '../../src/edge-listeners';
import { buildFlagsDocument, type CapabilityFlagSetting } from '../../src/flags';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../../src/runtime';

export interface RoutesFileShape {
  monolith: { url: string; timeouts?: { connectMs?: number; responseMs?: number } };
  capabilities: Record<string, { serviceUrl: string; flag?: string; timeouts?: { connectMs?: number; responseMs?: number }; routes: Array<{ methods: string | string[]; path: string; shadow?: { ignore: string[] } }>; writtenThrough?: Array<{ methods: string | string[]; path: string }> }>;
}

/** The production routes file's capabilities, pointed at the given upstreams. */
export function standardRoutes(urls: { monolith: string; auth: string; payments: string }): RoutesFileShape {
  return {
    monolith: { url: urls.monolith },
    capabilities: {
      auth: {
        serviceUrl: urls.auth,
        routes: [
          { methods: 'POST', path: '/api/auth/register' },
          { methods: 'POST', path: '/api/auth/login' },
          { methods: 'GET', path: '/api/auth/me' },
          { methods: 'POST', path: '/api/auth/logout' },
        ],
      },
      payments: {
        serviceUrl: urls.payments,
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
  writeRoutes(routes: RoutesFileShape | string): void;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export function monolithOnly(): CapabilityFlagSetting[] {
  return [
    { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
    { capability: 'payments', enabled: false, stage: 'monolith', rollout: 0 },
  ];
}

/** The edge as production wires it (config → runtime), on port 0, over temporary routes and flags files. */
export async function startTestEdge(options: {
  routes: RoutesFileShape;
  flags?: CapabilityFlagSetting[];
  env?: Record<string, string>;
  overrides?: EdgeRuntimeOptions['overrides'];
}): Promise<TestEdge> {
  const dir = mkdtempSync(path.join(tmpdir(), 'edge-test-'));
  const routesFile = path.join(dir, 'routes.json');
  const flagsFile = path.join(dir, 'flags.json');
  const atomicWrite = (file: string, text: string) => {
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
  };
  const writeRoutes = (routes: RoutesFileShape | string) => atomicWrite(routesFile, typeof routes === 'string' ? routes : JSON.stringify(routes, null, 2));
  const setFlags = (settings: CapabilityFlagSetting[]) => atomicWrite(flagsFile, JSON.stringify(buildFlagsDocument(settings)));
  writeRoutes(options.routes);
  setFlags(options.flags ?? monolithOnly());
  const config = readEdgeConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ROUTES_FILE: routesFile,
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
