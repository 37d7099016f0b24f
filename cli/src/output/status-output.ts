import type { CapabilityStatus, SideTraffic, StatusReport } from '../commands/status-report';

const n = (value: number) => value.toLocaleString('en-US');
const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(rate > 0 && rate < 0.001 ? 3 : 2)}%`);

function side(name: string, t: SideTraffic): string {
  if (!t.requests) return `  ${name.padEnd(9)} no requests`;
  return `  ${name.padEnd(9)} ${n(t.requests)} requests, ${pct(t.errorRate)} errors (${n(t.errors)}), p99 ${t.p99Ms === null ? '—' : `${t.p99Ms} ms`}`;
}

function capability(c: CapabilityStatus, window: string): string[] {
  const lines = [`${c.capability}  ${c.stage}${c.stage === 'monolith' || c.stage === 'complete' ? '' : ` ${c.percentage}%`}  (flag ${c.flag}${c.flagFound ? (c.enabled ? ', enabled' : `, disabled, ${c.percentage}% kept`) : ', not found: monolith'})`];
  lines.push(`  routing   reads ${c.readsPercent}% → service, writes ${c.writesPercent}% → service, shadow ${c.shadow ? `on (${c.percentage}%)` : 'off'}`);
  const m = c.mismatches;
  lines.push(`  shadow    ${m.compared ? `${n(m.compared)} compared, ${n(m.mismatched)} mismatched (${pct(m.rate)})` : 'nothing compared'}${window}`);
  lines.push(side('monolith', c.sides.monolith) + window, side('service', c.sides.service) + window);
  const fallbacks = Object.entries(c.fallbacks);
  if (c.pinnedReads) lines.push(`  pinned    ${n(c.pinnedReads)} reads sent to the side of the caller's recent write${window}`);
  lines.push(`  breaker   ${c.breaker}${fallbacks.length ? `; fallbacks to the monolith: ${fallbacks.map(([reason, count]) => `${reason} ${n(count)}`).join(', ')}${window}` : ''}`);
  if (!c.movesData && c.sync.length === 0) lines.push('  sync      none: its manifest declares no data to move');
  else if (c.sync.length === 0) lines.push('  sync      no worker found (SYNC_URLS)');
  for (const s of c.sync) {
    lines.push(`  sync      ${s.direction.padEnd(11)} ${s.ready ? 'ready' : 'NOT READY'}, lag ${s.lagSeconds.toFixed(1)} s, ${n(s.pending)} pending${s.errors ? `, ${n(s.errors)} errors` : ''}  (${s.url})`);
  }
  if (c.blockers) {
    if ('error' in c.blockers) lines.push(`  blocked   cannot read what the sync waits on: ${c.blockers.error}`);
    else for (const [direction, what] of Object.entries(c.blockers)) lines.push(`  blocked   ${direction.padEnd(11)} ${what}`);
  }
  if (c.fence) lines.push(`  fence     ${c.fence.raised ? `WRITES FENCED (held by ${c.fence.holders.join(', ')})` : 'down'}, ${n(c.fence.inFlightWrites)} write(s) in flight`);
  return lines;
}

export function formatStatus(report: StatusReport): string {
  const window = report.windowSeconds ? ` [last ${report.windowSeconds} s]` : '';
  const lines: string[] = [];
  if (report.edge.reachable) {
    const f = report.edge.flagSource;
    lines.push(`edge ${report.edge.url}  flags from ${f ? `${f.kind} ${f.where}${f.ready ? '' : ' (NOT READY)'}${f.stale ? `, STALE (no refresh for ${f.ageSeconds ?? '?'} s)` : ''}${f.fromBackup ? ', ON ITS LAST GOOD COPY' : ''}${f.errors ? `, ${f.errors} errors (last: ${f.lastError ?? '?'})` : ''}` : '?'}`);
    if (report.edge.readYourWritesMs !== undefined) {
      lines.push(`  read-your-writes ${report.edge.readYourWritesMs ? `for ${report.edge.readYourWritesMs / 1000} s after a caller's write` : 'off'}`);
    }
    if (!report.windowSeconds) lines.push('  (traffic since the edge started; --window <seconds> for a recent sample)');
  } else {
    lines.push(`edge ${report.edge.url}  UNREACHABLE`);
  }
  for (const c of report.capabilities) lines.push('', ...capability(c, window));
  for (const other of report.otherEdges) {
    lines.push('', `edge ${other.url}${other.reachable ? '' : '  UNREACHABLE'}`);
    for (const c of other.capabilities) {
      const fence = c.fence ? (c.fence.raised ? `WRITES FENCED (held by ${c.fence.holders.join(', ')})` : 'fence down') : 'no fence';
      lines.push(`  ${c.capability.padEnd(12)} ${c.stage} ${c.percentage}%, ${fence}`);
    }
  }
  const unreached = report.syncWorkers.filter((w) => !w.reachable);
  if (unreached.length || report.problems.length) {
    lines.push('', 'problems');
    for (const p of report.problems) lines.push(`  ${p}`);
  }
  return lines.join('\n');
}
