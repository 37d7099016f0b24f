import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Stage } from '@strangler/cutover-model';
import { TEST_POSTGRES_URL } from '@strangler/kit/testing';

export interface UnleashTimings {
  /** fork → ready, as the test sees it */
  totalMs: number;
  createDatabaseMs: number;
  /** loading unleash-server's module graph */
  importMs: number;
  /** start(): migrations (~370 on a fresh database) + app */
  startMs: number;
}

export interface UnleashTestServer {
  /** e.g. http://127.0.0.1:41675 */
  url: string;
  /** The client API base an SDK is given: `${url}/api/` */
  apiUrl: string;
  adminToken: string;
  database: string;
  environment: 'development';
  timings: UnleashTimings;
  /** A backend (server-side SDK) token, created through the admin API. */
  createBackendToken(name?: string): Promise<string>;
  /** A release flag in the default project; `groupId` (default: the flag name) is the rollout bucket group, e.g. the capability. */
  createFlag(name: string, options?: { groupId?: string }): Promise<void>;
  /** flexibleRollout at `percent` (stickiness default) with one strategy variant, payload {"stage": stage}. Creates the strategy on first use, PUTs after. */
  setRollout(flag: string, percent: number, stage: Stage): Promise<void>;
  enable(flag: string): Promise<void>;
  disable(flag: string): Promise<void>;
  /** GET /api/client/features with a backend token: the document an SDK fetches (and backs up). */
  clientFeatures(token: string): Promise<unknown>;
  /** Whether the server process is still running. */
  running(): boolean;
  /** SIGTERM, wait for exit (the database is dropped on the way out). Idempotent. */
  stop(): Promise<void>;
}

/** The child's entry is plain ESM that `tsc` does not copy: it stays in `src/testing`, reached from there or `dist/testing`. */
const ENTRY = path.resolve(__dirname, '../../src/testing/unleash-server-entry.mjs');

type ChildMessage =
  | { type: 'ready'; port: number; timings: Omit<UnleashTimings, 'totalMs'> }
  | { type: 'stopped'; dropped: boolean }
  | { type: 'failed'; message: string };

/** Keeps the child's last output, shown only when something goes wrong. */
function tail(child: ChildProcess, limit = 8_000): () => string {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-limit);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

function runEntry(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return fork(ENTRY, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // unleash-server trips pg's "client.query() while executing" deprecation on every start.
    execArgv: ['--no-deprecation'],
  });
}

async function dropLeftover(database: string): Promise<void> {
  const child = runEntry(['--drop', database], { ...process.env, UNLEASH_TEST_PG_URL: TEST_POSTGRES_URL });
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

/**
 * A real unleash-server (8.x) in a child process (it is ESM-only; Jest runs CommonJS) on a fresh
 * PostgreSQL database `unleash_test_<random>`, on a free port, with an admin token set at start.
 * One per test file: the first start of a database runs all of Unleash's migrations (a few seconds).
 */
export async function startUnleashServer(options: { startTimeoutMs?: number; logLevel?: string } = {}): Promise<UnleashTestServer> {
  const database = `unleash_test_${randomBytes(6).toString('hex')}`;
  const adminToken = `*:*.${randomBytes(24).toString('hex')}`;
  const started = performance.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    UNLEASH_TEST_PG_URL: TEST_POSTGRES_URL,
    UNLEASH_TEST_DATABASE: database,
    INIT_ADMIN_API_TOKENS: adminToken,
    // `telemetry: false` in options is ignored by 7.5.1 (it ORs with this variable); no outside calls.
    SEND_TELEMETRY: 'false',
    CHECK_VERSION: 'false',
    LOG_LEVEL: options.logLevel ?? 'error',
  };
  delete env.NODE_ENV; // Jest's "test" is not for the server under test
  delete env.DATABASE_URL; // unleash-server would prefer it over the options below
  const child = runEntry([], env);
  const output = tail(child);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  let dropped = false;
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'stopped') dropped = message.dropped;
  });

  const ready = await new Promise<Extract<ChildMessage, { type: 'ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Unleash did not start within ${options.startTimeoutMs ?? 60_000} ms`)), options.startTimeoutMs ?? 60_000);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`Unleash failed to start: ${message.message}`));
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`Unleash exited during start:\n${output()}`));
    });
  }).catch(async (error: Error) => {
    if (!exited) child.kill('SIGKILL');
    await exit;
    await dropLeftover(database);
    throw error;
  });

  const url = `http://127.0.0.1:${ready.port}`;
  const strategies = new Map<string, string>();
  const groups = new Map<string, string>();
  const project = `${url}/api/admin/projects/default/features`;

  async function admin(method: string, target: string, body?: unknown): Promise<any> {
    const response = await fetch(target, {
      method,
      headers: { authorization: adminToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${target} → ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  function rolloutStrategy(flag: string, percent: number, stage: Stage) {
    return {
      name: 'flexibleRollout',
      constraints: [],
      parameters: { rollout: String(percent), stickiness: 'default', groupId: groups.get(flag) ?? flag },
      variants: [{ name: stage, weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'json', value: JSON.stringify({ stage }) } }],
    };
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    apiUrl: `${url}/api/`,
    adminToken,
    database,
    environment: 'development',
    timings: { totalMs: performance.now() - started, ...ready.timings },

    async createBackendToken(name = `edge-test-${randomBytes(3).toString('hex')}`) {
      const token = await admin('POST', `${url}/api/admin/api-tokens`, { tokenName: name, type: 'backend', environment: 'development', projects: ['*'] });
      return token.secret as string;
    },

    async createFlag(name, flagOptions = {}) {
      groups.set(name, flagOptions.groupId ?? name);
      await admin('POST', project, { name, type: 'release' });
    },

    async setRollout(flag, percent, stage) {
      const base = `${project}/${encodeURIComponent(flag)}/environments/development/strategies`;
      const existing = strategies.get(flag);
      if (existing) {
        await admin('PUT', `${base}/${existing}`, rolloutStrategy(flag, percent, stage));
      } else {
        const created = await admin('POST', base, rolloutStrategy(flag, percent, stage));
        strategies.set(flag, created.id);
      }
    },

    async enable(flag) {
      await admin('POST', `${project}/${encodeURIComponent(flag)}/environments/development/on`);
    },

    async disable(flag) {
      await admin('POST', `${project}/${encodeURIComponent(flag)}/environments/development/off`);
    },

    async clientFeatures(token) {
      const response = await fetch(`${url}/api/client/features`, { headers: { authorization: token } });
      if (!response.ok) throw new Error(`GET /api/client/features → ${response.status}`);
      return response.json();
    },

    running: () => !exited,

    stop() {
      stopping ??= (async () => {
        if (!exited) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exit;
          clearTimeout(killer);
        }
        if (!dropped) await dropLeftover(database);
      })();
      return stopping;
    },
  };
}
