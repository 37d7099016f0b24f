// `npm start`: the whole stack on the embedded defaults (SQLite files under .data/, the local flags
// file), each deployable its own process, stopped together on Ctrl-C.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const ports = {
  monolith: env.MONOLITH_PORT ?? '3000',
  auth: env.AUTH_PORT ?? '3001',
  payments: env.PAYMENTS_PORT ?? '3002',
  edge: env.EDGE_PORT ?? '8080',
};
const url = (port) => `http://127.0.0.1:${port}`;
// One secret per run for the internal session endpoints; every process of this stack shares it.
const internalToken = env.INTERNAL_API_TOKEN ?? randomBytes(32).toString('hex');
const common = { INTERNAL_API_TOKEN: internalToken, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' };

const deployables = [
  {
    name: 'monolith',
    entry: 'monolith/dist/server.js',
    env: { PORT: ports.monolith, DATABASE_URL: env.MONOLITH_DATABASE_URL ?? '.data/monolith.sqlite', AUTH_PEERS: url(ports.auth) },
  },
  {
    name: 'auth',
    entry: 'services/auth/dist/server.js',
    env: { PORT: ports.auth, DATABASE_URL: env.AUTH_DATABASE_URL ?? '.data/auth.sqlite', AUTH_PEERS: url(ports.monolith) },
  },
  {
    name: 'payments',
    entry: 'services/payments/dist/server.js',
    env: {
      PORT: ports.payments,
      DATABASE_URL: env.PAYMENTS_DATABASE_URL ?? '.data/payments.sqlite',
      AUTH_PEERS: `${url(ports.auth)},${url(ports.monolith)}`,
    },
  },
  {
    name: 'edge',
    entry: 'edge/dist/server.js',
    env: {
      PORT: ports.edge,
      MONOLITH_URL: url(ports.monolith),
      AUTH_SERVICE_URL: url(ports.auth),
      PAYMENTS_SERVICE_URL: url(ports.payments),
      AUTH_PEERS: `${url(ports.monolith)},${url(ports.auth)}`,
    },
  },
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

function start(deployable) {
  const child = spawn(process.execPath, [path.join(ROOT, deployable.entry)], {
    cwd: ROOT,
    env: { ...env, ...common, ...deployable.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(deployable.name, child.stdout, process.stdout);
  prefixLines(deployable.name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(deployable.name);
    if (!stopping) {
      process.stderr.write(`${deployable.name} exited (${code ?? signal}); stopping the stack\n`);
      void stopAll(1);
    }
  });
  children.set(deployable.name, child);
}

async function ready(name, port, deadline) {
  for (;;) {
    try {
      if ((await fetch(`${url(port)}/health/ready`)).ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
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
for (const deployable of deployables) start(deployable);
try {
  const deadline = Date.now() + 30_000;
  await Promise.all(deployables.map((d) => ready(d.name, d.env.PORT, deadline)));
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  await stopAll(1);
}
process.stdout.write(`
strangler stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Ctrl-C stops everything)
  edge      ${url(ports.edge)}      ← clients talk to this
  monolith  ${url(ports.monolith)}
  auth      ${url(ports.auth)}
  payments  ${url(ports.payments)}
  flags     edit edge/flags.json (picked up within a second) to move a capability between stages
  admin     ${url(ports.edge)}/_edge/capabilities
`);
