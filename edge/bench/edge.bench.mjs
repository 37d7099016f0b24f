/* eslint-disable no-restricted-syntax -- a benchmark script reads its knobs from the environment */
// npm run bench:edge — what the edge costs over a bare http-proxy, in one run:
//   (a) the upstream directly; (b) a bare http-proxy with a keep-alive agent (the baseline);
//   (c) the edge as production runs it: the payments capability route, its flag evaluated at stage
//       live 100 %, an authenticated caller whose user id the edge resolves (bearer token → peer
//       session lookup → LRU), LOG_LEVEL=info (one access-log line per request, written to a file),
//       metrics on;
//   (d) the same edge with payments at stage shadow 100 %: the monolith answers, and the request is
//       mirrored to the service while the edge's event loop has headroom (SHADOW_MAX_LOOP_UTILIZATION)
//       and dropped as busy when it has not; a second monolith call only when the answers differ;
//   (e) the edge of (c) with the per-client rate limits off (the routes file without `rateLimits`):
//       (c) runs with the shipped limits (every request counted, in memory), so (c) ÷ (e) is their cost.
// Every server is its own process; the load generator is another (wrk, else Node — see
// load-generator.mjs). Targets are measured in interleaved rounds and medians reported, as ratios to
// (b): absolute numbers on a shared 2-core box move from run to run, ratios much less.
//   1. closed loop (64 connections, as fast as each target answers): maximum requests/s;
//   2. open loop at a fixed rate of half of (b)'s maximum: p50/p99 latency at a realistic load.
// Writes docs/benchmarks.md between <!-- bench:edge:start --> and <!-- bench:edge:end -->.
//
// Knobs: BENCH_ROUNDS (3), BENCH_DURATION_S (5, closed loop), BENCH_FIXED_DURATION_S (10),
// BENCH_CONNECTIONS (64), BENCH_USERS (10000 distinct bearer tokens), BENCH_LOAD_TOOL=node (skip wrk),
// BENCH_PROFILE=b|c|d (that server's first closed-loop round is CPU-profiled, see cpu-profile-hook.mjs, and
// the top of the profile printed; BENCH_PROFILE_KIND=heap samples allocations instead; no docs written),
// BENCH_WRITE=false (print only), BENCH_ONLY=closed|fixed, BENCH_SHADOW_MAX_LOOP_UTILIZATION (the edges' mirror
// back-off threshold, default the edge's own), BENCH_EDGE_DIST=<dist dir> (another edge
// build instead) or BENCH_COMPARE_DIST=<dist dir> (another build alongside, as extra targets, run with
// BENCH_COMPARE_NODE_ARGS if given); neither is
// written to the docs.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { ROOT, freePort, waitUntilReady } from '../../bench/stack-processes.mjs';
import { loadTool, runLoad } from './load-generator.mjs';
import { summarizeHeapProfile, summarizeProfile } from './read-cpuprofile.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { buildFlagsDocument, loadManifests, defaultManifestsDir } = require('@strangler/cutover-model');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const FIXED_DURATION_S = Number(process.env.BENCH_FIXED_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const FIXED_RATE_SHARE = 0.5;
const PROFILE = process.env.BENCH_PROFILE;
const WRITE = process.env.BENCH_WRITE !== 'false' && !PROFILE && !process.env.BENCH_EDGE_DIST && !process.env.BENCH_COMPARE_DIST;
const ONLY = process.env.BENCH_ONLY;
// Another build of the edge (e.g. an older commit's dist, to measure before/after with the same harness),
// instead of (BENCH_EDGE_DIST) or alongside (BENCH_COMPARE_DIST: extra targets) the current one.
const EDGE_DIST = process.env.BENCH_EDGE_DIST ? path.resolve(process.env.BENCH_EDGE_DIST) : path.join(ROOT, 'edge', 'dist');
const COMPARE_DIST = process.env.BENCH_COMPARE_DIST ? path.resolve(process.env.BENCH_COMPARE_DIST) : undefined;
/** Node options for the compared build's edges only (e.g. a GC setting tried against the default). */
const COMPARE_NODE_ARGS = (process.env.BENCH_COMPARE_NODE_ARGS ?? '').split(' ').filter(Boolean);
const PATH = '/api/payments/p1';
const TOKEN_PREFIX = `bench-${process.pid}-user-`;
const INTERNAL_TOKEN = 'bench-internal-token-0123456789abcdef0123456789abcdef';

/** CPU time (user + system, all threads) a process has used so far, in ms; undefined off Linux. */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n, digits = 2) => n.toFixed(digits);
const log = (line) => process.stdout.write(`${line}\n`);

function spawnServer(name, args, env, stdout = 'inherit') {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', stdout, 'inherit'] });
  child.once('exit', (code, signal) => {
    if (!child.stopping) process.stderr.write(`${name} exited early (${code ?? signal})\n`);
  });
  return {
    name,
    child,
    stop() {
      child.stopping = true;
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

async function waitForPort(url) {
  for (let i = 0; i < 200; i += 1) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${url} did not come up`);
}

/**
 * The shipped routes file and manifests (every capability and route, so matching does its real work),
 * pointed at the bench upstream, written into `dir` as `<name>.json` + `<name>-manifests/` (and, for an
 * edge built before #16, `<name>-legacy.json`: one routes file with the capabilities in it).
 */
function writeBenchRoutes(dir, name, upstreamUrl, { limits }) {
  const routes = JSON.parse(readFileSync(path.join(ROOT, 'edge', 'routes.json'), 'utf8'));
  delete routes.$comment;
  routes.monolith.url = upstreamUrl;
  if (!limits) delete routes.rateLimits;
  const loaded = loadManifests(defaultManifestsDir());
  if (!loaded.ok) throw new Error('the shipped manifests do not load');
  const manifests = loaded.manifests.map(({ manifest }) => ({
    ...manifest,
    service: { ...manifest.service, url: upstreamUrl },
    routes: manifest.routes.map(({ rateLimit, ...route }) => (limits && rateLimit ? { ...route, rateLimit } : route)),
  }));
  const manifestsDir = path.join(dir, `${name}-manifests`);
  mkdirSync(manifestsDir, { recursive: true });
  for (const manifest of manifests) writeFileSync(path.join(manifestsDir, `${manifest.name}.json`), JSON.stringify(manifest));
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(routes));
  const capabilities = Object.fromEntries(manifests.map((m) => [m.name, { serviceUrl: m.service.url, flag: m.flag, routes: m.routes, writtenThrough: m.writtenThrough }]));
  writeFileSync(path.join(dir, `${name}-legacy.json`), JSON.stringify({ ...routes, capabilities }));
}

function benchFlags(paymentsStage) {
  return buildFlagsDocument([
    { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
    { capability: 'payments', enabled: true, stage: paymentsStage, rollout: 100 },
  ]);
}

async function metricsOf(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (name, filter = () => true) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .filter(filter)
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    mirrored: sum('edge_shadow_mirrored_total'),
    dropped: sum('edge_shadow_dropped_total'),
    mismatches: sum('edge_shadow_mismatches_total'),
    busy: sum('edge_shadow_dropped_total', (l) => l.includes('reason="busy"')),
    resolved: sum('edge_user_lookups_total', (l) => l.includes('result="resolved"')),
    cached: sum('edge_user_lookups_total', (l) => l.includes('result="cached"')),
  };
}

/** What the shadow edge did between two metric readings. */
function countsBetween(before, after) {
  const delta = (key) => after[key] - before[key];
  return { mirrored: delta('mirrored'), dropped: delta('dropped'), busy: delta('busy'), mismatches: delta('mismatches') };
}

/** One request as the load generator sends it: the edge must route it as the scenario says. */
async function checkScenario(url, expectedTarget, limited) {
  const response = await fetch(`${url}${PATH}`, { headers: { authorization: `Bearer ${TOKEN_PREFIX}1` } });
  await response.text();
  const target = response.headers.get('x-strangler-target');
  if (response.status !== 200 || target !== expectedTarget) throw new Error(`${url}${PATH}: ${response.status}, target ${target}, expected ${expectedTarget}`);
  if ((response.headers.get('ratelimit') !== null) !== limited) throw new Error(`${url}${PATH}: rate limits ${limited ? 'expected' : 'not expected'}, RateLimit: ${response.headers.get('ratelimit')}`);
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edge-bench-'));
  const processes = [];
  // The box is shared: how busy it was (1-minute load average) is printed and written next to the results.
  const loadBefore = os.loadavg()[0];
  try {
    const [upstreamPort, barePort] = await Promise.all([freePort(), freePort()]);
    const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
    processes.push(spawnServer('upstream', [path.join(HERE, 'upstream.mjs')], { PORT: String(upstreamPort) }));
    const bare = spawnServer('bare proxy', [...(PROFILE === 'b' ? ['--import', path.join(HERE, 'cpu-profile-hook.mjs')] : []), path.join(HERE, 'bare-proxy.mjs')], {
      PORT: String(barePort),
      TARGET: upstreamUrl,
      CPU_PROFILE_FILE: path.join(dir, 'edge.cpuprofile'),
    });
    bare.key = 'b';
    processes.push(bare);
    await waitForPort(upstreamUrl);
    await waitForPort(`http://127.0.0.1:${barePort}`);

    writeBenchRoutes(dir, 'routes', upstreamUrl, { limits: true });
    writeBenchRoutes(dir, 'routes-unlimited', upstreamUrl, { limits: false });
    const edges = {};
    const edgeSpecs = [
      ['c', 'live', EDGE_DIST],
      ['d', 'shadow', EDGE_DIST],
      ['e', 'live', EDGE_DIST, [], 'routes-unlimited'],
      ...(COMPARE_DIST ? [['c0', 'live', COMPARE_DIST, COMPARE_NODE_ARGS], ['d0', 'shadow', COMPARE_DIST, COMPARE_NODE_ARGS]] : []),
    ];
    for (const [key, stage, dist, extraNodeArgs = [], routesName = 'routes'] of edgeSpecs) {
      // An edge built before #16 (BENCH_COMPARE_DIST) reads its capabilities from the routes file.
      const legacy = dist !== EDGE_DIST;
      const port = await freePort();
      writeFileSync(path.join(dir, `flags-${key}.json`), JSON.stringify(benchFlags(stage)));
      const logFd = openSync(path.join(dir, `edge-${key}.log`), 'w');
      const nodeArgs = [...extraNodeArgs, ...(PROFILE === key ? ['--import', path.join(HERE, 'cpu-profile-hook.mjs')] : [])];
      const edge = spawnServer(
        `edge (${key})`,
        [...nodeArgs, path.join(dist, 'server.js')],
        {
          NODE_ENV: 'production',
          PORT: String(port),
          LOG_LEVEL: 'info',
          ROUTES_FILE: path.join(dir, legacy ? `${routesName}-legacy.json` : `${routesName}.json`),
          MANIFESTS_DIR: path.join(dir, `${routesName}-manifests`),
          FLAGS_FILE: path.join(dir, `flags-${key}.json`),
          AUTH_PEERS: upstreamUrl,
          INTERNAL_API_TOKEN: INTERNAL_TOKEN,
          EDGE_ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef0123456789',
          UNLEASH_BACKUP_DIR: path.join(dir, 'unleash-backup'),
          CPU_PROFILE_FILE: path.join(dir, 'edge.cpuprofile'),
          ...(process.env.BENCH_SHADOW_MAX_LOOP_UTILIZATION ? { SHADOW_MAX_LOOP_UTILIZATION: process.env.BENCH_SHADOW_MAX_LOOP_UTILIZATION } : {}),
          ...(process.env.BENCH_PROFILE_KIND ? { PROFILE_KIND: process.env.BENCH_PROFILE_KIND } : {}),
        },
        logFd,
      );
      closeSync(logFd);
      processes.push(edge);
      edges[key] = `http://127.0.0.1:${port}`;
      edge.key = key;
      await waitUntilReady(edges[key]);
    }
    for (const [key, stage, , , routesFile] of edgeSpecs) await checkScenario(edges[key], stage === 'live' ? 'service' : 'monolith', routesFile === undefined);

    const targets = [
      { key: 'a', title: '(a) upstream directly', url: upstreamUrl },
      { key: 'b', title: '(b) bare http-proxy + keep-alive agent', url: `http://127.0.0.1:${barePort}` },
      { key: 'c', title: '(c) edge: live 100 %, user resolved, info logs, metrics', url: edges.c },
      { key: 'd', title: '(d) edge: shadow 100 % (mirrored while not busy)', url: edges.d },
      { key: 'e', title: '(e) edge: as (c), rate limits off', url: edges.e },
      ...(COMPARE_DIST
        ? [
            { key: 'c0', title: '(c) with the compared build', url: edges.c0 },
            { key: 'd0', title: '(d) with the compared build', url: edges.d0 },
          ]
        : []),
    ];
    const pids = { a: processes[0].child.pid, b: bare.child.pid };
    for (const [key] of edgeSpecs) pids[key] = processes.find((p) => p.key === key).child.pid;
    // Also what each run cost the server under test in CPU per request: a figure the other processes
    // competing for the same cores disturb much less than throughput.
    const load = async (target, durationS, rate) => {
      const before = cpuMsOf(pids[target.key]);
      const result = await runLoad({ baseUrl: target.url, path: PATH, users: USERS, tokenPrefix: TOKEN_PREFIX, connections: CONNECTIONS, durationS, rate });
      const after = cpuMsOf(pids[target.key]);
      return { ...result, cpuUsPerRequest: before === undefined || after === undefined ? NaN : ((after - before) * 1000) / result.requests };
    };

    log(`load: ${loadTool()}, ${CONNECTIONS} connections, ${USERS} distinct bearer tokens, ${os.cpus().length} CPUs, node ${process.version}`);
    log(`warm-up: ${WARMUP_S} s closed loop per target (JIT, user-id cache, keep-alive pools)`);
    for (const target of targets) {
      await load(target, WARMUP_S, 0);
      // The steady state: every caller's user id already in the edge's cache (a first request per token
      // costs a peer lookup, which is not what this measures).
      // On a loaded box lookups can outlast the edge's budget for many rounds: wait for all of them, since an
      // edge still resolving tokens during the measured rounds pays for peer calls the others do not.
      for (let i = 0; target.key >= 'c' && i < 40 && (await metricsOf(target.url)).resolved < USERS; i += 1) await load(target, WARMUP_S, 0);
      if (target.key >= 'c') log(`edge (${target.key}) after warm-up: ${(await metricsOf(target.url)).resolved} of ${USERS} user ids resolved through the peer`);
    }

    const closed = Object.fromEntries(targets.map((t) => [t.key, []]));
    if (ONLY !== 'fixed') {
      for (let round = 1; round <= ROUNDS; round += 1) {
        for (const target of inRoundOrder(targets, round)) {
          const profiled = PROFILE === target.key && round === 1 ? processes.find((p) => p.key === target.key) : undefined;
          profiled?.child.kill('SIGUSR2');
          const result = await load(target, DURATION_S, 0);
          if (profiled) await stopProfiler(profiled, path.join(dir, 'edge.cpuprofile'));
          closed[target.key].push(result);
          log(`closed loop, round ${round}: ${target.title.padEnd(58)} ${fmt(result.rps, 0).padStart(7)} req/s  p50 ${fmt(result.p50Ms)} ms  p99 ${fmt(result.p99Ms)} ms  CPU ${fmt(result.cpuUsPerRequest, 1)} µs/req  errors ${result.errors}  non-2xx ${result.non2xx}`);
        }
      }
    }
    const maxB = ONLY === 'fixed' ? Number(process.env.BENCH_FIXED_RATE ?? 8000) / FIXED_RATE_SHARE : median(closed.b.map((r) => r.rps));
    const rate = Math.round(maxB * FIXED_RATE_SHARE);

    const fixed = Object.fromEntries(targets.map((t) => [t.key, []]));
    let shadowCounts;
    if (ONLY !== 'closed') {
      const before = await metricsOf(edges.d);
      for (let round = 1; round <= ROUNDS; round += 1) {
        for (const target of inRoundOrder(targets, round)) {
          const result = await load(target, FIXED_DURATION_S, rate);
          fixed[target.key].push(result);
          log(`fixed ${rate}/s, round ${round}: ${target.title.padEnd(58)} ${fmt(result.rps, 0).padStart(7)} req/s  p50 ${fmt(result.p50Ms, 3)} ms  p99 ${fmt(result.p99Ms, 3)} ms  late ${result.late}/${result.scheduled}  errors ${result.errors}`);
        }
      }
      const after = await metricsOf(edges.d);
      shadowCounts = countsBetween(before, after);
    }

    // Mirroring costs the edge CPU of its own (two more upstream calls and a comparison per request), so
    // at (b)'s half rate the shadow edge may be saturated: then also compare (c) and (d) at half of (d)'s
    // own maximum, a rate it sustains, to see what the mirror does to the client's latency as such.
    const shadowRate = ONLY === undefined ? Math.round(median(closed.d.map((r) => r.rps)) * FIXED_RATE_SHARE) : undefined;
    const atShadowRate = { c: [], d: [] };
    let shadowCountsAtOwnRate;
    if (shadowRate !== undefined && shadowRate < rate) {
      const before = await metricsOf(edges.d);
      for (let round = 1; round <= ROUNDS; round += 1) {
        for (const target of targets.filter((t) => t.key === 'c' || t.key === 'd')) {
          const result = await load(target, FIXED_DURATION_S, shadowRate);
          atShadowRate[target.key].push(result);
          log(`fixed ${shadowRate}/s, round ${round}: ${target.title.padEnd(58)} ${fmt(result.rps, 0).padStart(7)} req/s  p50 ${fmt(result.p50Ms, 3)} ms  p99 ${fmt(result.p99Ms, 3)} ms  late ${result.late}/${result.scheduled}  errors ${result.errors}`);
        }
      }
      shadowCountsAtOwnRate = countsBetween(before, await metricsOf(edges.d));
    }

    const results = summarize(targets, closed, fixed, rate, shadowCounts);
    results.shadowRate = shadowRate;
    results.shadowCountsAtOwnRate = shadowCountsAtOwnRate;
    results.shadowP50AtOwnRate = atShadowRate.d.length ? median(atShadowRate.d.map((d, i) => d.p50Ms / atShadowRate.c[i].p50Ms - 1)) : NaN;
    results.loadAverage = { before: loadBefore, after: os.loadavg()[0] };
    printSummary(results);
    for (const [key] of edgeSpecs) {
      const text = readFileSync(path.join(dir, `edge-${key}.log`), 'utf8');
      const messages = {};
      for (const line of text.split('\n').filter(Boolean)) {
        const { msg } = JSON.parse(line);
        messages[msg] = (messages[msg] ?? 0) + 1;
      }
      log(`edge (${key}) log: ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB, lines by message: ${JSON.stringify(messages)}`);
    }
    if (WRITE && ONLY === undefined) writeReport(results);

    for (const p of processes.reverse()) await p.stop();
    processes.length = 0;
    if (PROFILE) {
      const kept = path.join(os.tmpdir(), `edge-${PROFILE}-${Date.now()}.cpuprofile`);
      writeFileSync(kept, readFileSync(path.join(dir, 'edge.cpuprofile')));
      log(`\nprofile of (${PROFILE}), closed-loop round 1, kept at ${kept}\n`);
      const profile = JSON.parse(readFileSync(kept, 'utf8'));
      log(profile.head ? summarizeHeapProfile(profile, { top: 45 }) : summarizeProfile(profile, { top: 45 }));
    }
  } finally {
    for (const p of processes.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The order targets run in, round by round: (c) and (e) — the same edge with the rate limits on and
 * off — swap places every other round. The target run right after the bare proxy was measured slower
 * whatever it was (with (c) always there, limits on looked 4× as costly as they are), so a fixed order
 * would charge that to the limits.
 */
function inRoundOrder(targets, round) {
  if (round % 2 === 1) return targets;
  const c = targets.findIndex((t) => t.key === 'c');
  const e = targets.findIndex((t) => t.key === 'e');
  if (c === -1 || e === -1) return targets;
  const swapped = [...targets];
  [swapped[c], swapped[e]] = [swapped[e], swapped[c]];
  return swapped;
}

async function stopProfiler(server, file) {
  server.child.kill('SIGUSR2');
  for (let i = 0; i < 200 && !existsSync(file); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!existsSync(file)) throw new Error('the profile was not written');
}

function summarize(targets, closed, fixed, rate, shadowCounts) {
  const perRoundRatio = (key, base) => closed[key].map((r, i) => r.rps / closed[base][i].rps);
  const med = (list, field) => (list.length ? median(list.map((r) => r[field])) : NaN);
  const rows = targets.map((t) => ({
    ...t,
    rps: med(closed[t.key], 'rps'),
    rpsRatio: closed[t.key].length ? median(perRoundRatio(t.key, 'b')) : NaN,
    rpsRatioRange: closed[t.key].length ? [Math.min(...perRoundRatio(t.key, 'b')), Math.max(...perRoundRatio(t.key, 'b'))] : [NaN, NaN],
    closedP50: med(closed[t.key], 'p50Ms'),
    cpuUs: med(closed[t.key], 'cpuUsPerRequest'),
    closedP99: med(closed[t.key], 'p99Ms'),
    p50: med(fixed[t.key], 'p50Ms'),
    p99: med(fixed[t.key], 'p99Ms'),
    late: fixed[t.key].reduce((n, r) => n + r.late, 0),
    scheduled: fixed[t.key].reduce((n, r) => n + r.scheduled, 0),
    errors: [...closed[t.key], ...fixed[t.key]].reduce((n, r) => n + r.errors + r.non2xx, 0),
  }));
  const by = Object.fromEntries(rows.map((r) => [r.key, r]));
  // Paired per round (same minute, same box state), then the median of the pairs.
  const pairs = (field, fn) => fixed.c.map((_, i) => fn(fixed, i, field));
  // p99 added over (b): the median of the per-round differences (each round's pair ran a minute apart).
  for (const row of rows) row.p99Added = fixed[row.key].length && fixed.b.length ? median(fixed[row.key].map((x, i) => x.p99Ms - fixed.b[i].p99Ms)) : NaN;
  const p99Added = by.c.p99Added;
  const shadowP50 = fixed.d.length ? median(pairs('p50Ms', (f, i, field) => f.d[i][field] / f.c[i][field] - 1)) : NaN;
  // Rate limits on (c) vs off (e), paired per round.
  const limitsRatios = closed.c.map((c, i) => c.rps / closed.e[i].rps);
  const rateLimitCost = limitsRatios.length ? { ratio: median(limitsRatios), range: [Math.min(...limitsRatios), Math.max(...limitsRatios)] } : undefined;
  return {
    rows,
    by,
    rate,
    p99Added,
    shadowP50,
    shadowCounts,
    rateLimitCost,
    tool: loadTool(),
    date: new Date().toISOString().slice(0, 10),
    cpus: os.cpus().length,
    node: process.version,
  };
}

function printSummary(r) {
  log(`\nmedians of ${ROUNDS} rounds; closed loop ${DURATION_S} s, fixed rate ${r.rate}/s (${FIXED_RATE_SHARE * 100} % of (b)'s maximum) ${FIXED_DURATION_S} s`);
  for (const row of r.rows) {
    log(
      `${row.title.padEnd(58)} ${fmt(row.rpsRatio)}× (b) req/s [${fmt(row.rpsRatioRange[0])}–${fmt(row.rpsRatioRange[1])}]  CPU/req ${fmt(row.cpuUs / r.by.b.cpuUs)}× (b)  ` +
        `fixed: p50 ${fmt(row.p50, 3)} ms  p99 ${fmt(row.p99, 3)} ms  late ${row.late}/${row.scheduled}  errors ${row.errors}`,
    );
  }
  log(`(c) ÷ (b) req/s: ${fmt(r.by.c.rpsRatio)}× (target ≥ 0.95×)`);
  log(`(c) − (b) p99 at ${r.rate}/s: ${r.p99Added >= 0 ? '+' : ''}${fmt(r.p99Added, 3)} ms (target ≤ 1 ms)`);
  log(`(d) vs (c) p50 at ${r.rate}/s: ${r.shadowP50 >= 0 ? '+' : ''}${fmt(r.shadowP50 * 100, 1)} % (target ≤ 5 %)`);
  if (r.rateLimitCost) log(`rate limits on ÷ off, (c) ÷ (e) req/s: ${fmt(r.rateLimitCost.ratio, 3)}× [${fmt(r.rateLimitCost.range[0], 3)}–${fmt(r.rateLimitCost.range[1], 3)}] (target ≥ 0.95×)`);
  if (r.shadowCounts) log(`shadow during the fixed-rate runs: ${r.shadowCounts.mirrored} mirrored, ${r.shadowCounts.dropped} dropped (${r.shadowCounts.busy} as busy), ${r.shadowCounts.mismatches} mismatches`);
  if (r.shadowCountsAtOwnRate) log(`shadow at half of (d)'s own maximum: ${r.shadowCountsAtOwnRate.mirrored} mirrored, ${r.shadowCountsAtOwnRate.dropped} dropped (${r.shadowCountsAtOwnRate.busy} as busy)`);
  if (!Number.isNaN(r.shadowP50AtOwnRate ?? NaN)) log(`(d) vs (c) p50 at ${r.shadowRate}/s (half of (d)'s own maximum): ${r.shadowP50AtOwnRate >= 0 ? '+' : ''}${fmt(r.shadowP50AtOwnRate * 100, 1)} %`);
  if (r.loadAverage) log(`1-minute load average: ${fmt(r.loadAverage.before)} before, ${fmt(r.loadAverage.after)} after (${r.cpus} CPUs)`);
}

function writeReport(r) {
  const { by } = r;
  const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
  const ms = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(2)} ms`;
  const verdict = (ok) => (ok ? 'met' : '**not met**');
  const late = (x) => (x.scheduled ? `${((100 * x.late) / x.scheduled).toFixed(1)} %` : '—');
  const row = (x) =>
    `| ${x.title} | ${fmt(x.rpsRatio)}× | ${fmt(x.cpuUs / by.b.cpuUs)}× | ${fmt(x.p50 / by.b.p50)}× | ${fmt(x.p99 / by.b.p99)}× | ${x.key === 'b' ? '—' : ms(x.p99Added)} | ${late(x)} |`;
  const tool = r.tool === 'wrk' ? 'wrk 4.1 (one thread; fixed rate by a pacing script, `edge/bench/wrk-load.lua`)' : 'Node (autocannon closed loop, a paced client for the fixed rate)';
  const mirrorShare = (c) => `${fmt((100 * c.mirrored) / Math.max(1, c.mirrored + c.dropped), 1)} %`;
  const shadow = r.shadowCounts
    ? `At (b)'s half rate the shadow edge mirrored ${r.shadowCounts.mirrored} requests (${mirrorShare(r.shadowCounts)}) and dropped ${r.shadowCounts.dropped}, ${r.shadowCounts.busy} of them because its event loop was busy (\`SHADOW_MAX_LOOP_UTILIZATION\`, 0.5), with ${r.shadowCounts.mismatches} mismatches.${
        r.shadowCountsAtOwnRate ? ` At half of (d)'s own maximum it mirrored ${mirrorShare(r.shadowCountsAtOwnRate)} of the requests.` : ''
      }`
    : '';
  const ownRate = Number.isNaN(r.shadowP50AtOwnRate ?? NaN)
    ? ''
    : `\n| shadow mode's p50 change at half of (d)'s own maximum (${r.shadowRate}/s), for reference | ${pct(r.shadowP50AtOwnRate)} | ${verdict(Math.abs(r.shadowP50AtOwnRate) <= 0.05)} |`;
  const section = `<!-- bench:edge:start -->
## Edge vs a bare http-proxy (\`npm run bench:edge\`)

Measured ${r.date} on ${r.cpus} cores (Node ${r.node}); each server its own process, the load generator
another: ${tool}, ${CONNECTIONS} connections, GET \`${PATH}\` with ${USERS} distinct
bearer tokens. All five targets in one run, ${ROUNDS} interleaved rounds, medians. Closed loop ${DURATION_S} s per target
(maximum req/s, and the server's CPU time per request from /proc); fixed rate ${FIXED_DURATION_S} s per target at
**half of (b)'s maximum** (${r.rate}/s). Ratios to (b), measured in the same run; "p99 added" is the median
of each round's difference to (b); "late" is the share of scheduled requests the load generator could
not send on time (every connection busy: the target was saturated, or the box stalled). The box is
shared with other work: 1-minute load average ${fmt(r.loadAverage.before)} before the run, ${fmt(r.loadAverage.after)} after.

| target | max req/s | CPU per request | p50 at fixed rate | p99 at fixed rate | p99 added | late |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${r.rows.map(row).join('\n')}

(c) is the edge as production runs it: the payments route, its flag evaluated by unleash-client at stage
live 100 %, the caller's user id resolved from the bearer token (peer lookup once, then the LRU; the
run starts once every token is known), \`LOG_LEVEL=info\` with the default access-log sampling
(\`ACCESS_LOG_SAMPLE=0.01\`, to a file), metrics on. (d) is the same edge at stage shadow 100 %: the
monolith answers and each GET is mirrored to the service while the edge has headroom (a second
monolith call only when the answers differ; here they never do), and dropped as busy when it has not.
(e) is (c) with the per-client rate limits off; (c) counts every request against the shipped limits
(\`edge/routes.json\`: user id per class, in the edge's memory), none of them reached.

| target | result | |
| --- | --- | --- |
| (c) ≥ 0.95 × (b) req/s | ${fmt(by.c.rpsRatio)}× | ${verdict(by.c.rpsRatio >= 0.95)} |
| p99 added by the edge at half of saturation ≤ 1 ms | ${ms(r.p99Added)} | ${verdict(r.p99Added <= 1)} |
| shadow mode changes the client's p50 (at the fixed rate, (d) vs (c)) by ≤ 5 % | ${pct(r.shadowP50)} | ${verdict(Math.abs(r.shadowP50) <= 0.05)} |${ownRate}
| per-client rate limits cost ≤ 5 % req/s ((c), limits on, ÷ (e), off; per-round range ${fmt(r.rateLimitCost.range[0], 3)}–${fmt(r.rateLimitCost.range[1], 3)}) | ${fmt(r.rateLimitCost.ratio, 3)}× | ${verdict(r.rateLimitCost.ratio >= 0.95)} |

${shadow} Upstream, proxies, edges and load generator share the ${r.cpus} cores; see
edge/README.md (Performance) for what the edge does per request and why these are the figures, and
docs/decisions/0010-edge-hot-path.md for the choices behind them.
<!-- bench:edge:end -->`;
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEvery figure is a ratio against a baseline measured in the same run.\n';
  const pattern = /<!-- bench:edge:start -->[\s\S]*<!-- bench:edge:end -->/;
  const next = pattern.test(current) ? current.replace(pattern, () => section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  log(`written to ${path.relative(ROOT, file)}`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
