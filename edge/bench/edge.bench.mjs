/* eslint-disable no-restricted-syntax -- a benchmark script reads its knobs from the environment */
// node edge/bench/edge.bench.mjs (after `npm run build`) — what the edge costs: the same tiny upstream
// hit directly, through a bare http-proxy with a keep-alive agent (the baseline), through the edge on
// an unmatched route (monolith, no flag), and on a capability route whose flag is evaluated (payments
// live 100 %, anonymous caller → sessionId stickiness). Same run, separate processes; compare ratios,
// absolute numbers vary from run to run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort, startProcess } from '../../bench/stack-processes.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);

function run(title, url) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections: CONNECTIONS, duration: DURATION_S }, (error, result) => {
      if (error) return reject(error);
      resolve({ title, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts });
    });
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'edge-bench-'));
const processes = [];
try {
  const upstreamPort = await freePort();
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  processes.push(await startScript('upstream.mjs', { PORT: String(upstreamPort) }, upstreamPort));
  const barePort = await freePort();
  processes.push(await startScript('bare-proxy.mjs', { PORT: String(barePort), TARGET: upstreamUrl }, barePort));
  writeFileSync(
    path.join(dir, 'routes.json'),
    JSON.stringify({ monolith: { url: upstreamUrl }, capabilities: { payments: { serviceUrl: upstreamUrl, routes: [{ methods: 'GET', path: '/api/payments/:id' }] } } }),
  );
  const flag = {
    name: 'strangler.payments',
    enabled: true,
    strategies: [
      {
        name: 'flexibleRollout',
        constraints: [],
        parameters: { rollout: '100', stickiness: 'default', groupId: 'payments' },
        variants: [{ name: 'stage', weight: 1000, payload: { type: 'json', value: '{"stage":"live"}' } }],
      },
    ],
  };
  writeFileSync(path.join(dir, 'flags.json'), JSON.stringify({ version: 2, features: [flag] }));
  const edgePort = await freePort();
  const edge = await startProcess('edge', 'edge/dist/server.js', {
    PORT: String(edgePort),
    LOG_LEVEL: 'warn',
    ROUTES_FILE: path.join(dir, 'routes.json'),
    FLAGS_FILE: path.join(dir, 'flags.json'),
  });
  processes.push(edge);

  const results = [];
  results.push(await run('direct to the upstream', `${upstreamUrl}/api/payments/p1`));
  results.push(await run('bare http-proxy + keep-alive agent', `http://127.0.0.1:${barePort}/api/payments/p1`));
  results.push(await run('edge, unmatched route (monolith)', `${edge.url}/api/orders/o1`));
  results.push(await run('edge, capability route (flag evaluated)', `${edge.url}/api/payments/p1`));
  const base = results[1].rps;
  process.stdout.write(`\n${CONNECTIONS} connections, ${DURATION_S} s each, ${os.cpus().length} CPUs\n`);
  for (const r of results) {
    process.stdout.write(
      `${r.title.padEnd(42)} ${String(r.rps).padStart(7)} req/s  (${(r.rps / base).toFixed(2)}× bare proxy)  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}\n`,
    );
  }
} finally {
  for (const p of processes.reverse()) await p.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function startScript(script, env, port) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), script)], { env: { PATH: process.env.PATH, ...env }, stdio: 'inherit' });
  for (let i = 0; i < 100; i += 1) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))) };
}
