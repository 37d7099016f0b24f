// `npm start`: the whole stack on the embedded defaults (SQLite files under .data/, the local flags
// file), each deployable its own process, stopped together on Ctrl-C:
//   1. monolith, auth service, payments service and edge (each migrates its own database at start);
//   2. change capture installed for every capability of the manifests (MANIFESTS_DIR, default
//      manifests/) on both sides (idempotent; left off where an operator removed it with `capture
//      remove`, runbook §6);
//   3. one sync worker per capability whose capture is on, both directions (monolith → service and back),
//      on 9470, 9471, … in the manifests' order (SYNC_<NAME>_PORT overrides one).
// The edge, the workers and the data jobs are all given the same MANIFESTS_DIR.
// It supervises: a process that crashes is restarted with back-off; one stopped on purpose (`kill`
// with its pid from .data/run/<name>.pid: SIGTERM, exit 0) stays stopped, and the rest run on.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cutoverModel from '@strangler/cutover-model';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const ports = {
  monolith: env.MONOLITH_PORT ?? '3000',
  auth: env.AUTH_PORT ?? '3001',
  payments: env.PAYMENTS_PORT ?? '3002',
  edge: env.EDGE_PORT ?? '8080',
};
const MANIFESTS_DIR = path.resolve(ROOT, env.MANIFESTS_DIR ?? 'manifests');
const manifests = cutoverModel.loadManifests(MANIFESTS_DIR);
if (!manifests.ok) {
  process.stderr.write(`the capability manifests in ${MANIFESTS_DIR} are invalid:\n  ${manifests.problems.map(cutoverModel.formatManifestProblem).join('\n  ')}\n`);
  process.exit(1);
}
/**
 * The capabilities whose data the stack moves (a sync worker and change capture each): one per
 * manifest with a `data` section, in the manifests' order. One that moves no data has neither (the
 * engine knows no such capability: its worker would only crash and be restarted).
 */
const capabilities = manifests.manifests.filter(({ manifest }) => manifest.data).map(({ manifest }) => manifest.name);
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

const RUN_DIR = path.resolve(ROOT, env.STACK_RUN_DIR ?? '.data/run');

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
      MANIFESTS_DIR,
      // Only this machine reaches the edge, so its admin endpoints may stay open (no EDGE_ADMIN_TOKEN:
      // `npx strangler status` just works), and only a proxy on this machine is believed about clients.
      HOST: '127.0.0.1',
      TRUST_PROXY: 'loopback',
      MONOLITH_URL: url(ports.monolith),
      AUTH_SERVICE_URL: url(ports.auth),
      PAYMENTS_SERVICE_URL: url(ports.payments),
      AUTH_PEERS: `${url(ports.monolith)},${url(ports.auth)}`,
      // An emergency stop (`strangler rollback --emergency`) outlives a restart of the edge.
      EDGE_EMERGENCY_FILE: env.EDGE_EMERGENCY_FILE ?? path.join(path.dirname(RUN_DIR), 'edge-emergency-stops.json'),
      EDGE_FENCE_FILE: env.EDGE_FENCE_FILE ?? path.join(path.dirname(RUN_DIR), 'edge-write-fences.json'),
    },
  },
];
const DATA_CLI = 'data-engine/dist/cli/data.js';
const dataEnv = { ...databases, MANIFESTS_DIR };
const syncWorkers = capabilities.map((name, index) => {
  const port = env[`SYNC_${name.toUpperCase().replaceAll('-', '_')}_PORT`] ?? String(9470 + index);
  return { name: `sync-${name}`, capability: name, entry: DATA_CLI, args: ['sync', name, '--direction', 'both', '--port', port], port, env: dataEnv };
});

const children = new Map();
let stopping = false;
const pidFile = (name) => path.join(RUN_DIR, `${name}.pid`);
/** Restart back-off: doubles per crash up to 30 s, back to 1 s after a minute of running. */
const backoff = new Map();

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
  const startedAt = Date.now();
  writeFileSync(pidFile(deployable.name), `${child.pid}\n`);
  child.on('exit', (code, signal) => {
    children.delete(deployable.name);
    if (stopping) return;
    rmSync(pidFile(deployable.name), { force: true });
    if (code === 0) {
      process.stderr.write(`[launcher] ${deployable.name} stopped (exit 0): left stopped, the rest runs on; Ctrl-C and npm start bring everything back\n`);
      return;
    }
    const delay = Date.now() - startedAt > 60_000 ? 1_000 : Math.min(30_000, (backoff.get(deployable.name) ?? 500) * 2);
    backoff.set(deployable.name, delay);
    process.stderr.write(`[launcher] ${deployable.name} exited (${code ?? signal}); restarting it in ${delay / 1000} s\n`);
    setTimeout(() => {
      if (!stopping && !children.has(deployable.name)) start(deployable);
    }, delay).unref();
  });
  children.set(deployable.name, child);
}

/** A one-shot command of the data engine; resolves to its standard output, rejects with all of it when it fails. */
function job(name, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, DATA_CLI), ...args], { cwd: ROOT, env: { ...env, ...common, ...dataEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => ((output += chunk), (stdout += chunk)));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${name} failed (exit ${code}):\n${output}`))));
  });
}

/** Installs capture unless an operator removed it; resolves to whether it is on. */
async function captureOn(capability) {
  const answer = JSON.parse(await job(`capture install ${capability}`, ['capture', 'install', capability, '--unless-removed', '--json']));
  const removed = answer.results.find((result) => result.action === 'kept-removed');
  if (removed) process.stderr.write(`[launcher] capture for ${capability} was removed on ${removed.removedAt} (capture remove): left off, and no sync worker for it\n`);
  return !removed;
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
  rmSync(RUN_DIR, { recursive: true, force: true });
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const started = Date.now();
mkdirSync(RUN_DIR, { recursive: true });
let syncing = syncWorkers;
try {
  // Generous: a loaded machine (CI) starts slowly; it only matters when something is wrong.
  const deadline = Date.now() + Number(env.STACK_READY_TIMEOUT_MS ?? 120_000);
  for (const server of servers) start(server);
  // Capture needs both schemas, which each side migrates at start.
  await Promise.all(servers.filter((s) => s.name !== 'edge').map((s) => ready(s.name, s.port, deadline)));
  // Sequential: both touch the monolith's database (one SQLite writer at a time).
  const on = new Set();
  for (const capability of capabilities) if (await captureOn(capability)) on.add(capability);
  syncing = syncWorkers.filter((worker) => on.has(worker.capability));
  for (const worker of syncing) start(worker);
  await Promise.all([...servers, ...syncing].map((d) => ready(d.name, d.port, deadline)));
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
${syncWorkers.map((w) => `  ${w.name.replace('-', ' ').padEnd(14)} ${syncing.includes(w) ? `${url(w.port)}      monolith ⇄ ${w.capability} service (/metrics, /health/ready)` : 'off (capture removed)'}`).join('\n')}
  flags          ${env.UNLEASH_URL ? `Unleash ${env.UNLEASH_URL} (the edge polls it)` : `${env.FLAGS_FILE ?? 'edge/flags.json'} (the edge picks up edits within a second)`}
  processes      ${path.relative(ROOT, RUN_DIR)}/<name>.pid — a crash is restarted; \`kill $(cat ${path.relative(ROOT, RUN_DIR)}/sync-payments.pid)\` stops one for good

  npx strangler status                                  where each capability stands
  npx strangler flip payments --stage shadow --percent 10    move it (gated: sync running, data verified)
  npx strangler rollback payments                       everyone back to the monolith
  Existing monolith data? npx strangler backfill auth, then payments (docs/runbook.md).
`);
