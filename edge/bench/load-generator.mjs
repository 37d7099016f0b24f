/* eslint-disable no-restricted-syntax -- a benchmark script reads its knobs from the environment */
// The load generator for edge/bench/edge.bench.mjs, always in its own process (never in the process
// that runs the servers, nor in the bench's own). wrk when it is installed (`apt-get install -y wrk`;
// the bench never installs anything), else Node in a child process: autocannon for closed-loop runs and
// a small paced client (node-load.mjs) for fixed-rate runs.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

let wrkAvailable;
export function loadTool() {
  if (process.env.BENCH_LOAD_TOOL === 'node') return 'node';
  wrkAvailable ??= spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
  return wrkAvailable ? 'wrk' : 'node';
}

/**
 * One run against `baseUrl + path`: closed loop (`rate` 0: every connection sends its next request as
 * soon as the last one is answered, i.e. the server's maximum) or open loop at a fixed `rate` per second.
 * Resolves to { rps, p50Ms, p99Ms, p999Ms, errors, non2xx, late, scheduled }.
 */
export function runLoad({ baseUrl, path: requestPath, users, tokenPrefix, connections, durationS, rate = 0 }) {
  return loadTool() === 'wrk'
    ? runWrk({ baseUrl, requestPath, users, tokenPrefix, connections, durationS, rate })
    : runNode({ baseUrl, requestPath, users, tokenPrefix, connections, durationS, rate });
}

function collect(command, args, marker) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(marker));
      if (code !== 0 || !line) return reject(new Error(`${command} failed (${code}): ${err || out}`));
      resolve(JSON.parse(line.slice(marker.length)));
    });
  });
}

async function runWrk({ baseUrl, requestPath, users, tokenPrefix, connections, durationS, rate }) {
  // One thread: wrk needs a fraction of a core at these rates, and on a 2-core box every extra thread
  // is taken from the servers under test.
  const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--timeout', '5s', '-s', path.join(HERE, 'wrk-load.lua'), baseUrl, '--', String(rate), requestPath, String(users), tokenPrefix];
  const r = await collect('wrk', args, 'WRK_RESULT ');
  return {
    requests: r.requests,
    rps: r.requests / (r.durationUs / 1e6),
    p50Ms: r.p50Us / 1000,
    p99Ms: r.p99Us / 1000,
    p999Ms: r.p999Us / 1000,
    errors: r.errors,
    non2xx: r.non2xx,
    late: r.late,
    scheduled: r.scheduled,
  };
}

function runNode(options) {
  return collect(process.execPath, [path.join(HERE, 'node-load.mjs'), JSON.stringify(options)], 'LOAD_RESULT ');
}
