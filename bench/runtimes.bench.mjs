// The same benchmarks on the old runtime and the new one, side by side, once (issue #15).
//
//   npm run bench:runtimes        (run it on the new Node: `source scripts/use-node.sh` first)
//
// The new side is this tree on this Node (.nvmrc). The old side is the last tree before the move to
// Node 24 (the parent of the commit that added .nvmrc), cloned into .data/bench-node20-tree, installed
// and built with Node 20: undici 8 and the other upgrades do not run on Node 20, so "old" is the
// old runtime with the dependencies it had. Both run this tree's benchmark scripts (copied over), each
// bench first on Node 20 and then on Node 24, so docs/benchmarks.md's own sections end up measured on
// Node 24; the Node 20 figures of the same session go into the bench:runtimes section, cell by cell
// next to Node 24's ("Node 20 → Node 24"), with the load average at the start and end of every run.
//
// Knobs: BENCH_NODE20 (a Node 20 binary; default /usr/bin/node), BENCH_RUNTIMES_ONLY=services,edge,data,
// BENCH_NODE20_TREE (an already prepared old tree), BENCH_DB_PREFIX (databases, default bench_rt_); every
// other BENCH_* knob reaches both runs of every bench.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './stack-processes.mjs';

const BENCHES = {
  services: { script: 'bench/services.bench.mjs', marker: 'services' },
  edge: { script: 'edge/bench/edge.bench.mjs', marker: 'edge' },
  data: { script: 'bench/data.bench.mjs', marker: 'data' },
};
const SCRIPTS = ['bench/services.bench.mjs', 'bench/stack-processes.mjs', 'bench/legacy-login-monolith.mjs', 'edge/bench/edge.bench.mjs', 'edge/bench/load-generator.mjs', 'edge/bench/node-load.mjs', 'edge/bench/upstream.mjs', 'edge/bench/bare-proxy.mjs', 'edge/bench/wrk-load.lua', 'edge/bench/read-cpuprofile.mjs', 'edge/bench/cpu-profile-hook.mjs'];
const only = (process.env.BENCH_RUNTIMES_ONLY ?? 'services,edge,data').split(',').filter(Boolean);
const log = (text) => process.stdout.write(`[runtimes] ${text}\n`);
const load = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');
const versionOf = (node) => execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
const major = (version) => Number(/^v(\d+)/.exec(version)?.[1]);

const wanted = readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim().replace(/^v/, '');
const node24 = process.execPath;
const node20 = process.env.BENCH_NODE20 ?? '/usr/bin/node';
if (major(process.version) !== major(`v${wanted}`)) throw new Error(`run this on Node ${wanted} (source scripts/use-node.sh); this is ${process.version}`);
if (major(versionOf(node20)) !== 20) throw new Error(`${node20} is ${versionOf(node20)}, not Node 20 (set BENCH_NODE20)`);

function run(command, args, { cwd, node, env = {} }) {
  return new Promise((resolve, reject) => {
    const childEnv = { ...process.env, ...env, PATH: `${path.dirname(node)}:${process.env.PATH}` };
    // Native builds on Node 20 use the npmrc's headers, not the Node 24 ones use-node.sh points at.
    if (node !== node24) delete childEnv.npm_config_nodedir;
    const child = spawn(command, args, { cwd, stdio: 'inherit', env: childEnv });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} in ${cwd} exited ${code}`))));
  });
}

async function oldTree() {
  const dir = process.env.BENCH_NODE20_TREE ?? path.join(ROOT, '.data', 'bench-node20-tree');
  if (!existsSync(path.join(dir, 'node_modules'))) {
    const added = execFileSync('git', ['log', '--diff-filter=A', '--format=%H', '-1', '--', '.nvmrc'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (!added) throw new Error('no commit adds .nvmrc: cannot tell which tree was the last on Node 20');
    log(`preparing the Node 20 tree (${added.slice(0, 7)}^) in ${dir}`);
    if (!existsSync(dir)) execFileSync('git', ['clone', '--quiet', '--no-checkout', ROOT, dir], { stdio: 'inherit' });
    execFileSync('git', ['checkout', '--quiet', '--detach', `${added}^`], { cwd: dir, stdio: 'inherit' });
    await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, node: node20 });
  }
  for (const script of SCRIPTS) if (existsSync(path.join(ROOT, script))) copyFileSync(path.join(ROOT, script), path.join(dir, script));
  // The data bench drives the migration engine's API, which changes with the tree: the old tree keeps
  // its own script, with only the BENCH_DB_PREFIX knob added.
  const data = path.join(dir, 'bench', 'data.bench.mjs');
  const original = execFileSync('git', ['show', 'HEAD:bench/data.bench.mjs'], { cwd: dir, encoding: 'utf8' });
  writeFileSync(data, original.replace(/const DB = \{ monolith: 'bench_data_monolith', service: 'bench_data_payments', baseline: 'bench_data_baseline' \};/, "const DB_PREFIX = process.env.BENCH_DB_PREFIX ?? 'bench_';\nconst DB = { monolith: `${DB_PREFIX}data_monolith`, service: `${DB_PREFIX}data_payments`, baseline: `${DB_PREFIX}data_baseline` };"));
  if (!readFileSync(data, 'utf8').includes('DB_PREFIX')) throw new Error('could not add BENCH_DB_PREFIX to the old data bench');
  await run('npx', ['tsc', '-b'], { cwd: dir, node: node20 });
  return dir;
}

const sectionOf = (file, marker) => {
  const match = new RegExp(`<!-- bench:${marker}:start -->[\\s\\S]*<!-- bench:${marker}:end -->`).exec(readFileSync(file, 'utf8'));
  return match ? match[0] : undefined;
};

/** The tables of two runs of one bench, merged cell by cell: equal cells once, others "old → new". */
function mergeTables(before, after) {
  const tables = (text) => text.split('\n\n').map((block) => block.split('\n').filter((line) => line.startsWith('|'))).filter((rows) => rows.length > 2);
  const cells = (row) => row.split('|').slice(1, -1).map((cell) => cell.trim());
  const [a, b] = [tables(before), tables(after)];
  return b
    .map((rowsB, t) => {
      const rowsA = a[t] ?? [];
      return rowsB
        .map((row, i) => {
          if (i === 1) return row; // alignment row
          const [ca, cb] = [cells(rowsA[i] ?? ''), cells(row)];
          return `| ${cb.map((cell, j) => (ca[j] === undefined || ca[j] === cell ? cell : `${ca[j]} → ${cell}`)).join(' | ')} |`;
        })
        .join('\n');
    })
    .join('\n\n');
}

async function main() {
  const old = await oldTree();
  const results = [];
  const env = { BENCH_DB_PREFIX: process.env.BENCH_DB_PREFIX ?? 'bench_rt_' };
  for (const name of only) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`unknown bench ${name} (one of ${Object.keys(BENCHES).join(', ')})`);
    const runs = [];
    for (const [label, cwd, node] of [['Node 20', old, node20], ['Node 24', ROOT, node24]]) {
      const started = { at: Date.now(), load: load() };
      log(`${name} on ${label} (${versionOf(node)}), load ${started.load}`);
      await run(node, [bench.script], { cwd, node, env });
      const section = sectionOf(path.join(cwd, 'docs', 'benchmarks.md'), bench.marker);
      runs.push({ label, version: versionOf(node), seconds: (Date.now() - started.at) / 1000, loadStart: started.load, loadEnd: load(), section });
    }
    results.push({ name, runs });
    writeReport(results);
  }
}

function writeReport(results) {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  const current = readFileSync(file, 'utf8');
  const pattern = /<!-- bench:runtimes:start -->[\s\S]*<!-- bench:runtimes:end -->/;
  // Subsections of benches not run this time stay as they were.
  const previous = new Map([...(pattern.exec(current)?.[0] ?? '').matchAll(/### `bench:(\w+)`[\s\S]*?(?=\n### `bench:|\n<!-- bench:runtimes:end -->)/g)].map((m) => [m[1], m[0].trimEnd()]));
  const fresh = new Map(results.map(({ name, runs }) => [name, part(name, runs)]));
  const parts = Object.keys(BENCHES).map((name) => fresh.get(name) ?? previous.get(name)).filter(Boolean);
  writeSection(file, current, pattern, parts);
}

function part(name, runs) {
  const [before, after] = runs;
  const lines = runs.map((r) => `- ${r.label} (${r.version}): ${r.seconds.toFixed(0)} s, load average (1/5/15 min) ${r.loadStart} at the start, ${r.loadEnd} at the end`);
  const merged = before?.section && after?.section ? mergeTables(before.section, after.section) : '(a run wrote no section)';
  return `### \`bench:${name}\`\n\n${lines.join('\n')}\n\n${merged}`;
}

function writeSection(file, current, pattern, parts) {
  const section = `<!-- bench:runtimes:start -->
## Node 20 → Node 24, side by side (\`npm run bench:runtimes\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores, once, each bench on Node 20 (the tree before
the move, its dependencies: undici 7, better-sqlite3 12, …) and then on Node 24 (this tree) in the same
session. Cells read "Node 20 → Node 24" where they differ. **The box was shared and loaded** (load
averages below, next to each run): compare within a row, and treat a difference smaller than the
run-to-run spread documented in each section as noise. A re-run on a quiet machine is pending.

${parts.join('\n\n')}
<!-- bench:runtimes:end -->`;
  writeFileSync(file, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`);
  log('wrote docs/benchmarks.md (bench:runtimes)');
}

await main();
