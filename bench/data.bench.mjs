// npm run bench:data — the data-migration engine on MariaDB, each figure against a baseline measured
// in the same run on the same server:
//   1. backfill of N payments (default 1,000,000) monolith → service, rows/s, against a same-server
//      INSERT … SELECT doing the same transform in SQL (target ≥ 0.5×);
//   2. sync lag (capture → commit on the target) at a steady 500 writes/s, p50/p99 (target p99 < 1 s);
//   3. verify rows/s over the same rows.
// Writes the results into docs/benchmarks.md between <!-- bench:data:start --> and <!-- bench:data:end -->.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT } from './stack-processes.mjs';

const require = createRequire(import.meta.url);
const knex = require('knex');
const { createDatabase } = require(path.join(ROOT, 'kit/dist/index.js'));
const { migrateLatest, monolithMigrations, paymentsMigrations } = require(path.join(ROOT, 'migrations/dist/index.js'));
const data = require(path.join(ROOT, 'data-engine/dist/index.js'));
/** The payments capability as its manifest declares it (the engine has no built-in list). */
const paymentsCapability = data.findCapability(data.loadCapabilities({ dir: path.join(ROOT, 'manifests'), env: {} }), 'payments');

const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 1_000_000);
const USERS = Math.max(1, Math.round(PAYMENTS / 50));
const WRITES_PER_SECOND = Number(process.env.BENCH_WRITES_PER_SECOND ?? 500);
const SYNC_SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 30);
const WARMUP_SECONDS = 3;
/** Reuse an already seeded monolith database of the right size (seeding 1M rows takes minutes). */
const REUSE_SEED = process.env.BENCH_REUSE_SEED === '1';
/** Database names start with this (BENCH_DB_PREFIX), so runs on a shared server do not collide. */
const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? 'bench_';
const DB = { monolith: `${DB_PREFIX}data_monolith`, service: `${DB_PREFIX}data_payments`, baseline: `${DB_PREFIX}data_baseline` };

const log = (text) => process.stdout.write(`${text}\n`);
const n = (value) => Math.round(value).toLocaleString('en-US');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function dbUrl(name) {
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(work) {
  const db = knex({ client: 'mysql2', connection: { uri: MYSQL_URL }, pool: { min: 0, max: 1 } });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

async function recreate(name) {
  await admin(async (db) => {
    await db.raw(`drop database if exists \`${name}\``);
    await db.raw(`create database \`${name}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
  });
}

async function seeded() {
  return admin(async (db) => {
    const [rows] = await db.raw('select count(*) as n from information_schema.tables where table_schema = ? and table_name = ?', [DB.monolith, 'payments']);
    if (Number(rows[0].n) === 0) return 0;
    const [count] = await db.raw(`select count(*) as n from \`${DB.monolith}\`.payments`);
    return Number(count[0].n);
  });
}

function seed() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'monolith/dist/seed/seed-cli.js'), '--users', String(USERS), '--payments', String(PAYMENTS), '--seed', '42'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: dbUrl(DB.monolith), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed exited ${code}`))));
  });
}

/** The same transform as the mapping, in SQL, on the same server: the fastest copy there is. */
async function insertSelectBaseline() {
  const db = createDatabase(dbUrl(DB.baseline), { poolMax: 1 });
  try {
    await migrateLatest(db.knex, paymentsMigrations);
    const started = performance.now();
    await db.knex.raw(`
      insert into payments (id, user_id, order_id, amount_minor, currency, status, description, captured_minor, refunded_minor, created_at, updated_at)
      select id, user_id, order_id,
             cast(amount * m.f as signed), currency, lower(status), description,
             cast(captured_amount * m.f as signed), cast(refunded_amount * m.f as signed), created_at, updated_at
      from \`${DB.monolith}\`.payments p
      join (select 'JPY' as c, 1 as f union all select 'KWD', 1000 union all select 'USD', 100 union all select 'EUR', 100
            union all select 'GBP', 100 union all select 'CHF', 100 union all select 'CAD', 100 union all select 'AUD', 100
            union all select 'SEK', 100) m on m.c = p.currency
      order by id`);
    const seconds = (performance.now() - started) / 1000;
    const [count] = await db.knex.raw('select count(*) as n from payments');
    return { rows: Number(count[0].n), seconds };
  } finally {
    await db.close();
  }
}

async function backfill(monolith, service) {
  const progressEvery = Math.max(1, Math.round(PAYMENTS / 10));
  let nextReport = progressEvery;
  const started = performance.now();
  const report = await data.runBackfill({
    capability: paymentsCapability,
    direction: 'to-service',
    source: monolith.knex,
    target: service.knex,
    mappings: ['payments'],
    progress: {
      update: (state) => {
        if (state.done >= nextReport) {
          nextReport += progressEvery;
          log(`  backfill ${n(state.done)}/${n(state.total)} (chunk ${n(state.chunkSize ?? 0)})`);
        }
      },
      finish: () => undefined,
    },
  });
  return { rows: report.rows, seconds: (performance.now() - started) / 1000 };
}

async function verify(monolith, service) {
  const started = performance.now();
  // Rows only: the bench copies the payments mapping alone, so the refunds its invariants read are not there.
  const report = await data.runVerify({ capability: paymentsCapability, monolith: monolith.knex, service: service.knex, mappings: ['payments'], invariants: false });
  if (!report.ok) throw new Error(`verify found differences: ${JSON.stringify(report.mappings[0].reported.slice(0, 3))}`);
  return { rows: report.rows, seconds: (performance.now() - started) / 1000 };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * A steady stream of app-like single-statement writes on the monolith (new payments, and captures
 * of recent ones) while the sync worker runs; lag = commit on the service − capture on the monolith.
 */
async function syncLag(monolith, service) {
  await data.installCapture(monolith.knex, paymentsCapability, 'monolith');
  const lags = [];
  let measuring = false;
  const worker = new data.SyncWorker({
    capability: paymentsCapability,
    direction: 'to-service',
    source: monolith.knex,
    target: service.knex,
    onApplied: (changes, committedAt) => {
      if (measuring) for (const change of changes) lags.push(committedAt - change.capturedAt);
    },
  });
  await worker.start();
  const loop = worker.run();

  const writer = knex({ client: 'mysql2', connection: { uri: dbUrl(DB.monolith), timezone: 'Z' }, pool: { min: 4, max: 16 } });
  const authorized = [];
  let writes = 0;
  let failed = 0;
  const writeOne = async () => {
    const now = new Date();
    if (authorized.length > 50 && Math.random() < 0.4) {
      const id = authorized.splice(Math.floor(Math.random() * authorized.length), 1)[0];
      await writer('payments').where({ id }).update({ status: 'CAPTURED', captured_amount: writer.ref('amount'), updated_at: now });
    } else {
      const id = randomUUID();
      await writer('payments').insert({
        id, user_id: randomUUID(), order_id: null, amount: '19.99', currency: 'USD', status: 'AUTHORIZED', description: 'bench',
        captured_amount: '0.00', refunded_amount: '0.00', created_at: now, updated_at: now,
      });
      authorized.push(id);
    }
    writes += 1;
  };
  const inFlight = new Set();
  const started = performance.now();
  const total = (WARMUP_SECONDS + SYNC_SECONDS) * WRITES_PER_SECOND;
  for (let i = 0; i < total; i++) {
    // Open-loop schedule: write i is due at i / rate, whatever the earlier ones are doing.
    const due = started + (i * 1000) / WRITES_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (i === WARMUP_SECONDS * WRITES_PER_SECOND) measuring = true;
    const p = writeOne().catch(() => (failed += 1)).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const writeSeconds = (performance.now() - started) / 1000;
  const drainStarted = performance.now();
  while ((await new data.ChangelogChangeSource(monolith.knex, 'payments', ['payments', 'refunds', 'idempotency_keys']).pendingCount()) > 0) await sleep(20);
  const drainMs = performance.now() - drainStarted;
  measuring = false;
  await worker.stop();
  await loop;
  await writer.destroy();
  const sorted = [...lags].sort((a, b) => a - b);
  return {
    writes,
    failed,
    achievedRate: writes / writeSeconds,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    drainMs,
  };
}

async function main() {
  const started = Date.now();
  log(`bench:data on ${MYSQL_URL.replace(/:[^:@/]*@/, ':***@')}: ${n(PAYMENTS)} payments`);
  const have = REUSE_SEED ? await seeded() : 0;
  let seedSeconds = null;
  if (have >= PAYMENTS) log(`  reusing ${DB.monolith} (${n(have)} payments)`);
  else {
    await recreate(DB.monolith);
    const t = performance.now();
    await seed();
    seedSeconds = (performance.now() - t) / 1000;
  }
  const monolithCount = await seeded();
  await Promise.all([recreate(DB.service), recreate(DB.baseline)]);
  const server = await admin(async (db) => (await db.raw('select version() as v, @@innodb_buffer_pool_size as pool, @@innodb_flush_log_at_trx_commit as flush'))[0][0]);
  const loadAtStart = os.loadavg()[0];

  const monolith = createDatabase(dbUrl(DB.monolith));
  const service = createDatabase(dbUrl(DB.service));
  try {
    await migrateLatest(monolith.knex, monolithMigrations);
    await migrateLatest(service.knex, paymentsMigrations);

    log('1. INSERT … SELECT baseline (same server, transform in SQL)');
    const baseline = await insertSelectBaseline();
    log(`   ${n(baseline.rows)} rows in ${baseline.seconds.toFixed(1)} s = ${n(baseline.rows / baseline.seconds)} rows/s`);
    await recreate(DB.baseline); // free the buffer pool for the engine's run

    log('2. backfill (keyset chunks, transform in Node, upsert + checkpoint per chunk)');
    const filled = await backfill(monolith, service);
    log(`   ${n(filled.rows)} rows in ${filled.seconds.toFixed(1)} s = ${n(filled.rows / filled.seconds)} rows/s`);

    log('3. verify (canonical form, chunk checksums, both sides)');
    const verified = await verify(monolith, service);
    log(`   ${n(verified.rows)} rows in ${verified.seconds.toFixed(1)} s = ${n(verified.rows / verified.seconds)} rows/s`);

    log(`4. sync lag at ${WRITES_PER_SECOND} writes/s for ${SYNC_SECONDS} s (after ${WARMUP_SECONDS} s warm-up)`);
    const lag = await syncLag(monolith, service);
    log(`   ${n(lag.writes)} writes (${lag.failed} failed) at ${lag.achievedRate.toFixed(0)}/s; lag p50 ${lag.p50} ms, p99 ${lag.p99} ms, max ${lag.max} ms over ${n(lag.samples)} changes`);
    const after = await data.runVerify({ capability: paymentsCapability, monolith: monolith.knex, service: service.knex, mappings: ['payments'], invariants: false });
    if (!after.ok) throw new Error('verify after the sync run found differences');

    const ratio = (filled.rows / filled.seconds) / (baseline.rows / baseline.seconds);
    const results = {
      date: new Date().toISOString().slice(0, 10),
      machine: `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, MariaDB ${server.v}`,
      innodb: `${Math.round(Number(server.pool) / 2 ** 20)} MiB buffer pool, \`innodb_flush_log_at_trx_commit=${server.flush}\``,
      load: `load average ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`,
      monolithCount, seedSeconds, baseline, filled, verified, lag, ratio, minutes: (Date.now() - started) / 60_000,
    };
    writeResults(results);
    log(`backfill/INSERT…SELECT = ${ratio.toFixed(2)}× (target ≥ 0.5×); sync p99 ${lag.p99} ms (target < 1000 ms)`);
  } finally {
    await Promise.all([monolith.close(), service.close()]);
  }
}

function writeResults(r) {
  const rate = (x) => n(x.rows / x.seconds);
  const section = `<!-- bench:data:start -->
## Data migration (\`npm run bench:data\`)

${r.date}, ${r.machine}; monolith, service and baseline databases on the same local server
(${r.innodb}); ${r.load} (the box is shared: compare ratios, not absolute rates). ${n(r.monolithCount)}
payments in the monolith database${r.seedSeconds ? ` (seeded in ${r.seedSeconds.toFixed(0)} s by \`npm run seed\`)` : ' (seeded by `npm run seed` in an earlier run, plus that run\'s sync traffic)'}.

| measurement | result | baseline (same run) | ratio / target |
| --- | --- | --- | --- |
| backfill payments monolith → service (keyset chunks adapting to 500 ms, transform in Node, version-checked upsert + checkpoint per chunk) | ${rate(r.filled)} rows/s (${n(r.filled.rows)} rows, ${r.filled.seconds.toFixed(1)} s) | INSERT … SELECT with the transform in SQL: ${rate(r.baseline)} rows/s (${r.baseline.seconds.toFixed(1)} s) | **${r.ratio.toFixed(2)}×** (≥ 0.5×) |
| sync lag, capture on the monolith → commit on the service, ${WRITES_PER_SECOND} writes/s for ${SYNC_SECONDS} s (inserts and captures, ${r.lag.achievedRate.toFixed(0)}/s achieved) | p50 **${r.lag.p50} ms**, p99 **${r.lag.p99} ms**, max ${r.lag.max} ms (${n(r.lag.samples)} changes) | — | p99 < 1,000 ms |
| verify payments (both sides read, canonical form, SHA-256 per 2,000-row chunk) | ${rate(r.verified)} rows/s (${n(r.verified.rows)} rows, ${r.verified.seconds.toFixed(1)} s) | — | — |

The baseline is the best a copy can do on one server: one statement, no round trips, no checkpoint.
The backfill pays for what makes it safe to run against a live monolith: bounded transactions, a
resumable checkpoint in each one, the conflict rule (each chunk reads the target's rows first) and
an exact transform in application code. Run with \`BENCH_REUSE_SEED=1\` to keep the seeded monolith;
\`BENCH_PAYMENTS\`, \`BENCH_WRITES_PER_SECOND\`, \`BENCH_SYNC_SECONDS\` change the sizes.
<!-- bench:data:end -->`;
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEvery figure is a ratio against a baseline measured in the same run.\n';
  const pattern = /<!-- bench:data:start -->[\s\S]*<!-- bench:data:end -->/;
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  log(`written to ${path.relative(ROOT, file)}`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
