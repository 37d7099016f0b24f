// npm run bench:services — login and payment creation on the monolith vs the extracted services,
// same run, same MariaDB server. Writes the results into docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import knex from 'knex';
import { ROOT, freePort, startProcess } from './stack-processes.mjs';

const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const INTERNAL_TOKEN = randomUUID() + randomUUID();
const STORM_CONNECTIONS = Number(process.env.BENCH_STORM_CONNECTIONS ?? 256);
/** Database names start with this (BENCH_DB_PREFIX), so runs on a shared server do not collide. */
const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? 'bench_';
const DATABASES = ['monolith', 'auth', 'payments', 'legacy'].map((name) => `${DB_PREFIX}${name}`);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const loadAverage = () => os.loadavg()[0].toFixed(2);

function dbUrl(name) {
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function resetDatabases() {
  const admin = knex({ client: 'mysql2', connection: { uri: MYSQL_URL }, pool: { min: 0, max: 1 } });
  try {
    for (const name of DATABASES) {
      await admin.raw(`drop database if exists \`${name}\``);
      await admin.raw(`create database \`${name}\``);
    }
  } finally {
    await admin.destroy();
  }
}

async function post(url, body, headers = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${url} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function run(title, options) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options }, (error, result) => {
      if (error) return reject(error);
      resolve({
        title,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        statusCodes: result.statusCodeStats,
        errors: result.errors + result.timeouts,
      });
    });
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

const loginBench = (url, email, connections = CONNECTIONS) =>
  run(`login ${url}`, {
    connections,
    url: `${url}/api/auth/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'bench-password' }),
  });

const paymentBench = (url, token) =>
  run(`create payment ${url}`, {
    url: `${url}/api/payments`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, 'idempotency-key': randomUUID() },
          body: JSON.stringify({ amount: '19.99', currency: 'USD', description: 'bench' }),
        }),
      },
    ],
  });

/** Internal session lookups a side has answered so far (from its /metrics): the per-request hop. */
async function lookupsServed(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('http_request_duration_seconds_count') && line.includes('route="/internal/sessions/:tokenHash"'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

async function main() {
  await resetDatabases();
  const [monolithPort, authPort, paymentsPort, legacyPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const urls = {
    monolith: `http://127.0.0.1:${monolithPort}`,
    auth: `http://127.0.0.1:${authPort}`,
    payments: `http://127.0.0.1:${paymentsPort}`,
    legacy: `http://127.0.0.1:${legacyPort}`,
  };
  const common = { INTERNAL_API_TOKEN: INTERNAL_TOKEN, MIGRATE_ON_START: 'true' };
  // One client address and one account for every request: measure hashing, not the throttle.
  const noThrottle = { LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000' };
  const processes = [];
  const loadAtStart = { uptime: uptime(), load1: loadAverage() };
  process.stdout.write(`load at start: ${loadAtStart.uptime}\n`);
  try {
    processes.push(await startProcess('monolith', 'monolith/dist/server.js', { ...common, ...noThrottle, PORT: String(monolithPort), DATABASE_URL: dbUrl(`${DB_PREFIX}monolith`), AUTH_PEERS: urls.auth }));
    processes.push(await startProcess('auth', 'services/auth/dist/server.js', { ...common, ...noThrottle, PORT: String(authPort), DATABASE_URL: dbUrl(`${DB_PREFIX}auth`), AUTH_PEERS: urls.monolith }));
    processes.push(await startProcess('payments', 'services/payments/dist/server.js', { ...common, PORT: String(paymentsPort), DATABASE_URL: dbUrl(`${DB_PREFIX}payments`), AUTH_PEERS: `${urls.auth},${urls.monolith}` }));
    processes.push(await startProcess('legacy-login', 'bench/legacy-login-monolith.mjs', { PORT: String(legacyPort), DATABASE_URL: dbUrl(`${DB_PREFIX}legacy`) }));

    const register = (url) => post(`${url}/api/auth/register`, { email: `bench-${randomUUID()}@example.com`, password: 'bench-password', name: 'Bench' });
    const onMonolith = await register(urls.monolith);
    const onAuth = await register(urls.auth);
    const onLegacy = await register(urls.legacy);
    // Let every validity cache read its peers' revocation feeds before the payment rows.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const results = [];
    for (const [label, fn] of [
      ['login — legacy reference (the monolith before argon2id: salted SHA-256)', () => loginBench(urls.legacy, onLegacy.user.email)],
      ['login — monolith (argon2id)', () => loginBench(urls.monolith, onMonolith.user.email)],
      ['login — auth service (argon2id)', () => loginBench(urls.auth, onAuth.user.email)],
      ['create payment — monolith', () => paymentBench(urls.monolith, onMonolith.token)],
      ['create payment — payments service (token from auth service)', () => paymentBench(urls.payments, onAuth.token)],
      ['create payment — payments service (token from monolith)', () => paymentBench(urls.payments, onMonolith.token)],
      // Last: a storm's aftermath (requests of connections the load generator gave up on) must not
      // weigh on another row.
      [`login storm — auth service, ${STORM_CONNECTIONS} connections`, () => loginBench(urls.auth, onAuth.user.email, STORM_CONNECTIONS)],
    ]) {
      process.stdout.write(`running: ${label} (${DURATION_S}s)\n`);
      const lookupsBefore = (await lookupsServed(urls.monolith)) + (await lookupsServed(urls.auth));
      const result = await fn();
      const peerLookups = (await lookupsServed(urls.monolith)) + (await lookupsServed(urls.auth)) - lookupsBefore;
      results.push({ ...result, label, peerLookups });
      // Let the last run's queued work (hashes above all) drain before the next one starts.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      process.stdout.write(`  ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors+timeouts ${result.errors}, peer session lookups ${peerLookups} ${JSON.stringify(result.statusCodes)}\n`);
    }
    const loadAtEnd = { uptime: uptime(), load1: loadAverage() };
    process.stdout.write(`load at end: ${loadAtEnd.uptime}\n`);
    writeReport(results, loadAtStart, loadAtEnd);
  } finally {
    for (const p of processes.reverse()) await p.stop();
  }
}

function writeReport(results, loadAtStart, loadAtEnd) {
  const [loginLegacy, _loginMono, loginAuth, payMono, payService, payServiceMonoToken, storm] = results;
  const ratio = (a, b) => (a.rps / b.rps).toPrecision(2);
  const met = (ok) => (ok ? 'met' : '**not met**');
  const codes = (r) => Object.entries(r.statusCodes ?? {}).map(([code, { count }]) => `${code}: ${count}`).join(', ');
  const rows = results.map((r) => `| ${r.label} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${r.peerLookups} |`).join('\n');
  const targets = [
    ['auth-service login ≥ 50/s', `${loginAuth.rps.toFixed(0)}/s`, loginAuth.rps >= 50],
    ['auth-service login ≥ 0.03 × the legacy login', `${ratio(loginAuth, loginLegacy)}×`, loginAuth.rps / loginLegacy.rps >= 0.03],
    [`auth-service login p99 < 1 s at ${CONNECTIONS} connections`, `${loginAuth.p99} ms`, loginAuth.p99 < 1000],
    ['payment creation on the service ≥ 0.95 × the monolith (token from the auth service)', `${ratio(payService, payMono)}×`, payService.rps / payMono.rps >= 0.95],
    ['the same, token from the monolith', `${ratio(payServiceMonoToken, payMono)}×`, payServiceMonoToken.rps / payMono.rps >= 0.95],
    [`a login storm (${STORM_CONNECTIONS} connections) is answered, never timed out: errors + timeouts = 0`, `${storm.errors}; status codes ${codes(storm)}`, storm.errors === 0],
  ].map(([what, result, ok]) => `| ${what} | ${result} | ${met(ok)} |`).join('\n');
  const section = `<!-- bench:services:start -->
## Services vs monolith (\`npm run bench:services\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (Node ${process.version}), MariaDB on loopback, each deployable its own
Node process, autocannon ${CONNECTIONS} connections × ${DURATION_S} s per row (the storm row ${STORM_CONNECTIONS}), all rows in one run.
**The box is shared** with other work: 1-minute load average ${loadAtStart.load1} at the start, ${loadAtEnd.load1} at the end —
compare ratios within this run, not absolute rates across runs.

| scenario | req/s | p50 ms | p99 ms | non-2xx | errors + timeouts | peer session lookups |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows}

| target | result | |
| --- | --- | --- |
${targets}

Login: every side hashes with argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1; ≈ 14 ms of one core
here), at most \`PASSWORD_HASH_CONCURRENCY\` at once (default: the core count, at most 4) with at most
\`PASSWORD_HASH_QUEUE\` (64) waiting; past that the answer is 503 \`AUTH_BUSY\` with \`Retry-After\` at once,
which is what the storm row's non-2xx are. The legacy reference is the same monolith with the old
one-SHA-256 check (\`bench/legacy-login-monolith.mjs\`): what a login cost before argon2id, the
baseline issue #17 sets the ratio against. The monolith's own login now costs what the service's does
(decision 0026: no timing oracle on either side).

Payment creation on the service no longer asks a peer per request: each deployable remembers a
peer's "active" answer while every peer's revocation feed is fresh (decision 0027; worst-case
revocation delay 1 s), so a request costs what it costs on the monolith, which reads its own
sessions table instead.
<!-- bench:services:end -->`;
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEvery figure is a ratio against a baseline measured in the same run.\n';
  const next = /<!-- bench:services:start -->[\s\S]*<!-- bench:services:end -->/.test(current)
    ? current.replace(/<!-- bench:services:start -->[\s\S]*<!-- bench:services:end -->/, section)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  process.stdout.write(`written to ${path.relative(ROOT, file)}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
