// `npm start`: the whole stack on the embedded defaults (SQLite files under .data/, the local flags
// file), each deployable its own process, stopped together on Ctrl-C:
//   1. monolith, auth service, payments service and edge (each migrates its own database at start);
//   2. change capture installed for auth and payments on both sides (idempotent);
//   3. one sync worker per capability, both directions (monolith → service and back).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const ports = {
  monolith: env.MONOLITH_PORT ?? '3000',
  auth: env.AUTH_PORT ?? '3001',
  payments: env.PAYMENTS_PORT ?? '3002',
  edge: env.EDGE_PORT ?? '8080',
  syncAuth: env.SYNC_AUTH_PORT ?? '9470',
  syncPayments: env.SYNC_PAYMENTS_PORT ?? '9471',
};
const url = (port) => `http://127.0.0.1:${port}`;
const databases = {
  MONOLITH_DATABASE_URL: env.MONOLITH_DATABASE_URL ?? '.data/monolith.sqlite',
  AUTH_DATABASE_URL: env.AUTH_DATABASE_URL ?? '.data/auth.sqlite',
  PAYMENTS_DATABASE_URL: env.PAYMENTS_DATABASE_URL ?? '.data/payments.sqlite',
};
// One secret per run for the internal session endpoints; every process of this stack shares it.
const internalToken = env.INTERNAL_API_TOKEN ?? randomBytes(32).toString('hex');
// A development machine: the deployables accept the development secrets this repository published
// (should a developer's environment hold one), which they refuse anywhere else.
const common = { INTERNAL_API_TOKEN: internalToken, LOG_LEVEL: env.LOG_LEVEL ?? 'warn', STRANGLER_DEV_MODE: 'true' };

const servers = [
  {
    name: 'monolith',
    entry: 'monolith/dist/server.js',
    port: ports.monolith,
    env: { PORT: ports.monolith, DATABASE_URL: databases.MONOLITH_DATABASE_URL, AUTH_PEERS: url(ports.auth) },
  },
  {
    name: 'auth',
    entry: 'services/auth/dist/server.js',
    port: ports.auth,
    env: { PORT: ports.auth, DATABASE_URL: databases.AUTH_DATABASE_URL, AUTH_PEERS: url(ports.monolith) },
  },
  {
    name: 'payments',
    entry: 'services/payments/dist/server.js',
    port: ports.payments,
    env: { PORT: ports.payments, DATABASE_URL: databases.PAYMENTS_DATABASE_URL, AUTH_PEERS: `${url(ports.auth)},${url(ports.monolith)}` },
  },
  {
    name: 'edge',
    entry: 'edge/dist/server.js',
    port: ports.edge,
    env: {
      PORT: ports.edge,
      // Only this machine reaches the edge, so its admin endpoints may stay open (no EDGE_ADMIN_TOKEN:
      // `npx strangler status` just works), and only a proxy on this machine is believed about clients.
      HOST: '127.0.0.1',
      TRUST_PROXY: 'loopback',
      MONOLITH_URL: url(ports.monolith),
      AUTH_SERVICE_URL: url(ports.auth),
      PAYMENTS_SERVICE_URL: url(ports.payments),
      AUTH_PEERS: `${url(ports.monolith)},${url(ports.auth)}`,
    },
  },
];
const DATA_CLI = 'migrations/dist/cli/data.js';
const syncWorkers = [
  { name: 'sync-auth', entry: DATA_CLI, args: ['sync', 'auth', '--direction', 'both', '--port', ports.syncAuth], port: ports.syncAuth, env: databases },
  { name: 'sync-payments', entry: DATA_CLI, args: ['sync', 'payments', '--direction', 'both', '--port', ports.syncPayments], port: ports.syncPayments, env: databases },
];

const children = new Map();
let stopping = false;

function prefixLines(name, stream, target) {
  let pending = '';
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) target.write(`[${name}] ${line}\n`);
  });
}

function spawnNode(name, entry, args, childEnv) {
  const child = spawn(process.execPath, [path.join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...env, ...common, ...childEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  return child;
}

function start(deployable) {
  const child = spawnNode(deployable.name, deployable.entry, deployable.args ?? [], deployable.env);
  child.on('exit', (code, signal) => {
    children.delete(deployable.name);
    if (!stopping) {
      process.stderr.write(`${deployable.name} exited (${code ?? signal}); stopping the stack\n`);
      void stopAll(1);
    }
  });
  children.set(deployable.name, child);
}

/** A one-shot command of the data engine; rejects with its output when it fails. */
function job(name, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, DATA_CLI), ...args], { cwd: ROOT, env: { ...env, ...common, ...databases }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} failed (exit ${code}):\n${output}`))));
  });
}

async function ready(name, port, deadline) {
  for (;;) {
    try {
      if ((await fetch(`${url(port)}/health/ready`)).ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    [...children.values()].map(
      (child) =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const started = Date.now();
mkdirSync(path.join(ROOT, '.data'), { recursive: true });
try {
  const deadline = Date.now() + 30_000;
  for (const server of servers) start(server);
  // Capture needs both schemas, which each side migrates at start.
  await Promise.all(servers.filter((s) => s.name !== 'edge').map((s) => ready(s.name, s.port, deadline)));
  // Sequential: both touch the monolith's database (one SQLite writer at a time).
  await job('capture install auth', ['capture', 'install', 'auth']);
  await job('capture install payments', ['capture', 'install', 'payments']);
  for (const worker of syncWorkers) start(worker);
  await Promise.all([...servers, ...syncWorkers].map((d) => ready(d.name, d.port, deadline)));
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  await stopAll(1);
}
process.stdout.write(`
strangler stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Ctrl-C stops everything)
  edge           ${url(ports.edge)}      ← clients talk to this; admin: ${url(ports.edge)}/_edge/capabilities
  monolith       ${url(ports.monolith)}      ${databases.MONOLITH_DATABASE_URL}
  auth           ${url(ports.auth)}      ${databases.AUTH_DATABASE_URL}
  payments       ${url(ports.payments)}      ${databases.PAYMENTS_DATABASE_URL}
  sync auth      ${url(ports.syncAuth)}      monolith ⇄ auth service (/metrics, /health/ready)
  sync payments  ${url(ports.syncPayments)}      monolith ⇄ payments service
  flags          edge/flags.json (the edge picks up edits within a second)

  npx strangler status                                  where each capability stands
  npx strangler flip payments --stage shadow --percent 10    move it (gated: sync running, data verified)
  npx strangler rollback payments                       everyone back to the monolith
  Existing monolith data? npx strangler backfill auth, then payments (docs/runbook.md).
`);
