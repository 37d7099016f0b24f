// Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went: by package, the top
// functions by self time, and the top functions by inclusive time (each sample counted once per
// function on its stack). Used by edge.bench.mjs (BENCH_PROFILE=c|d), or on its own:
//   node edge/bench/read-cpuprofile.mjs <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function where(url) {
  if (!url) return '';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node';
  const own = /\/(edge|kit)\/dist\//.exec(url);
  if (own) return own[1];
  return path.basename(url);
}

function label(frame) {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url.includes('node_modules') ? frame.url.slice(frame.url.lastIndexOf('node_modules/') + 13) : frame.url.replace(/^.*\/(edge|kit)\/dist\//, '$1/').replace(/^node:/, 'node:');
  return `${name} ${file}:${frame.lineNumber + 1}`;
}

export function summarizeProfile(profile, { top = 40 } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const busy = total - [...idleIds].reduce((s, id) => s + (counts.get(id) ?? 0), 0);

  const self = new Map();
  const byWhere = new Map();
  for (const [id, count] of counts) {
    if (idleIds.has(id)) continue;
    const frame = nodes.get(id).callFrame;
    const key = label(frame);
    self.set(key, (self.get(key) ?? 0) + count);
    const group = frame.url ? where(frame.url) : frame.functionName;
    byWhere.set(group, (byWhere.get(group) ?? 0) + count);
  }

  // Inclusive: every function on the sample's stack, once.
  const pathKeys = new Map();
  const keysOf = (id) => {
    let keys = pathKeys.get(id);
    if (keys) return keys;
    const up = parent.get(id);
    const own = label(nodes.get(id).callFrame);
    const inherited = up === undefined ? [] : keysOf(up);
    keys = inherited.includes(own) ? inherited : [...inherited, own];
    pathKeys.set(id, keys);
    return keys;
  };
  const inclusive = new Map();
  for (const [id, count] of counts) {
    if (idleIds.has(id)) continue;
    for (const key of keysOf(id)) inclusive.set(key, (inclusive.get(key) ?? 0) + count);
  }

  const pct = (n) => `${((100 * n) / busy).toFixed(1).padStart(5)} %`;
  const list = (map, n, skip = () => false) =>
    [...map]
      .filter(([k]) => !skip(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${pct(v)}  ${k}`)
      .join('\n');
  const durationS = (profile.endTime - profile.startTime) / 1e6;
  return [
    `${total} samples over ${durationS.toFixed(1)} s; busy (not idle) ${((100 * busy) / total).toFixed(1)} % — percentages below are of busy samples`,
    'by package:',
    list(byWhere, 15),
    'self time:',
    list(self, top),
    'inclusive time:',
    list(inclusive, top, (k) => k.startsWith('(root)') || k.startsWith('(program)')),
  ].join('\n');
}

/** A sampling heap profile (HeapProfiler.stopSampling): bytes allocated by function, self and inclusive. */
export function summarizeHeapProfile(profile, { top = 40 } = {}) {
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  const walk = (node, stack) => {
    const key = label(node.callFrame);
    const own = node.selfSize ?? 0;
    total += own;
    if (own) self.set(key, (self.get(key) ?? 0) + own);
    const path = stack.includes(key) ? stack : [...stack, key];
    let subtree = own;
    for (const child of node.children ?? []) subtree += walk(child, path);
    if (!stack.includes(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + subtree);
    return subtree;
  };
  walk(profile.head, []);
  const pct = (n) => `${((100 * n) / total).toFixed(1).padStart(5)} %`;
  const list = (map) =>
    [...map]
      .filter(([k]) => !k.startsWith('(root)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `  ${pct(v)}  ${k}`)
      .join('\n');
  return [`${(total / 1e6).toFixed(1)} MB sampled allocations`, 'allocated by (self):', list(self), 'allocated under (inclusive):', list(inclusive)].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [file, top] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const summarize = profile.head ? summarizeHeapProfile : summarizeProfile;
  process.stdout.write(`${summarize(profile, { top: Number(top ?? 40) })}\n`);
}
