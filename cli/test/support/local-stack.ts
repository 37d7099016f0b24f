import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');

export interface ProcessRun {
  code: number | null;
  out: string;
}

/** `npm start`'s launcher (scripts/start-stack.mjs) on its own ports, databases, flags file and run directory. */
export interface LocalStack {
  dir: string;
  /** What the stack's processes and an operator's shell there use. */
  env: Record<string, string>;
  ports: { monolith: number; auth: number; payments: number; edge: number; syncAuth: number; syncPayments: number };
  output(): string;
  /** Resolves with the banner printed. */
  start(): Promise<void>;
  /** Ctrl-C: resolves to the launcher's exit code. */
  stop(): Promise<number | null>;
  pidOf(name: string): number | undefined;
  ready(port: number): Promise<boolean>;
  /** A command in a shell in the repository, with the stack's environment. */
  shell(command: string): Promise<ProcessRun>;
  until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs?: number): Promise<T>;
  remove(): void;
}

/**
 * Six consecutive ports free right now, below the ephemeral range (where a port-0 listener elsewhere
 * could take one between this check and the launcher's bind), from a random start so that runs side
 * by side (CI beside a developer's, two worktrees) do not pick the same.
 */
export async function freePortBlock(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 1_200) * 10;
    const free = await Promise.all(Array.from({ length: 6 }, (_, i) => portIsFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no block of six free ports found between 20000 and 32000');
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function localStack(basePort: number): LocalStack {
  const dir = mkdtempSync(path.join(tmpdir(), 'local-stack-'));
  cpSync(path.join(ROOT, 'edge/flags.json'), path.join(dir, 'flags.json'));
  const ports = { monolith: basePort, auth: basePort + 1, payments: basePort + 2, edge: basePort + 3, syncAuth: basePort + 4, syncPayments: basePort + 5 };
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    MONOLITH_PORT: String(ports.monolith),
    AUTH_PORT: String(ports.auth),
    PAYMENTS_PORT: String(ports.payments),
    EDGE_PORT: String(ports.edge),
    SYNC_AUTH_PORT: String(ports.syncAuth),
    SYNC_PAYMENTS_PORT: String(ports.syncPayments),
    MONOLITH_DATABASE_URL: path.join(dir, 'monolith.sqlite'),
    AUTH_DATABASE_URL: path.join(dir, 'auth.sqlite'),
    PAYMENTS_DATABASE_URL: path.join(dir, 'payments.sqlite'),
    FLAGS_FILE: path.join(dir, 'flags.json'),
    STACK_RUN_DIR: path.join(dir, 'run'),
    // What the CLI reads (npm start's defaults, moved to these ports).
    EDGE_URL: url(ports.edge),
    SYNC_URLS: `${url(ports.syncAuth)},${url(ports.syncPayments)}`,
  };
  let launcher: { child: ChildProcess; exited: Promise<number | null> } | undefined;
  let output = '';

  const stack: LocalStack = {
    dir,
    env,
    ports,
    output: () => output,
    async start() {
      const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start-stack.mjs')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      launcher = { child, exited };
      const before = output.length;
      await stack.until('the stack to be ready', () => output.slice(before).includes('strangler stack ready') || child.exitCode !== null);
      if (child.exitCode !== null) throw new Error(`the launcher exited (${child.exitCode}):\n${output}`);
    },
    async stop() {
      if (!launcher) return null;
      launcher.child.kill('SIGINT');
      const code = await launcher.exited;
      launcher = undefined;
      return code;
    },
    pidOf(name) {
      const file = path.join(dir, 'run', `${name}.pid`);
      return existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
    },
    async ready(port) {
      return (await fetch(`${url(port)}/health/ready`).catch(() => undefined))?.status === 200;
    },
    shell(command) {
      return new Promise((resolve) => {
        const child = spawn('bash', ['-c', command], { cwd: ROOT, env: { ...process.env, ...env, PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}` }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
    },
    async until(what, probe, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the launcher said:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return stack;
}
