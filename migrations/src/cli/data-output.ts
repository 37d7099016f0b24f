import type { BackfillReport } from '../data/backfill/backfill';
import type { CapabilityStatus } from '../data/status';
import type { VerifyReport } from '../data/verify/verify';

const n = (value: number) => value.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function formatBackfill(report: BackfillReport): string {
  const lines = [`backfill ${report.capability} ${report.direction}${report.dryRun ? ' (dry run: nothing written)' : ''}`];
  for (const m of report.mappings) {
    if (m.status === 'already-done') {
      lines.push(`  ${m.mapping}: already complete (${n(m.totalRows)} rows; --restart to copy again)`);
      continue;
    }
    const resumed = m.resumedAfter ? ` resumed after ${JSON.stringify(m.resumedAfter)},` : '';
    const c = m.counts;
    lines.push(
      `  ${m.mapping}: ${m.status === 'stopped' ? 'STOPPED,' : ''}${resumed} ${n(m.rows)} rows in ${m.chunks} chunks, ${seconds(m.durationMs)}, ${n(m.rowsPerSecond)} rows/s` +
        ` — ${dryWord(report.dryRun, 'inserted')} ${n(c.inserted)}, ${dryWord(report.dryRun, 'updated')} ${n(c.updated)}, unchanged ${n(c.unchanged)}, kept newer target ${n(c.kept)}`,
    );
  }
  lines.push(report.stopped ? '  stopped before the end: run the same command again to resume' : `  done: ${n(report.rows)} rows in ${seconds(report.durationMs)}`);
  return lines.join('\n');
}

const dryWord = (dry: boolean, word: string) => (dry ? `would be ${word}` : word);

export function formatVerify(report: VerifyReport): string {
  const lines = [`verify ${report.capability}: ${report.ok ? 'EQUAL' : 'DIFFERENT'} (${n(report.rows)} rows, ${seconds(report.durationMs)}, ${n(report.rowsPerSecond)} rows/s)`];
  for (const m of report.mappings) {
    const settled = m.settledOnRecheck ? `, ${m.settledOnRecheck} chunk(s) settled on re-check` : '';
    lines.push(`  ${m.mapping}: monolith ${n(m.monolithRows)}, service ${n(m.serviceRows)} rows, ${m.chunks} chunks${settled}: ${m.differences ? `${n(m.differences)} difference(s)` : 'equal'}`);
    for (const d of m.reported) {
      const key = JSON.stringify(d.key);
      if (d.kind === 'different') {
        const fields = Object.entries(d.fields ?? {}).map(([field, v]) => `${field}: monolith ${JSON.stringify(v.monolith)} ≠ service ${JSON.stringify(v.service)}`);
        lines.push(`    different ${key}: ${fields.join('; ')}`);
      } else if (d.kind === 'unreadable') lines.push(`    unreadable on the ${d.side} ${key}: ${d.error}`);
      else lines.push(`    ${d.kind} ${key}`);
    }
    if (m.differences > m.reported.length) lines.push(`    … ${n(m.differences - m.reported.length)} more (--max-report, --json)`);
  }
  return lines.join('\n');
}

export function formatStatus(status: CapabilityStatus): string {
  const lines = [`${status.capability}`];
  for (const side of ['monolith', 'service'] as const) {
    const c = status.capture[side];
    const state = c.installed ? 'installed' : c.triggers || c.changelog ? `PARTIAL (${c.triggers}/${c.expectedTriggers} triggers${c.changelog ? '' : ', no changelog'})` : 'not installed';
    const backlog = c.changelog ? `, ${n(c.pending)} change(s) waiting${c.oldestPendingAgeSeconds !== null ? `, oldest ${c.oldestPendingAgeSeconds.toFixed(1)}s old` : ''}` : '';
    lines.push(`  capture on the ${side}: ${state}${backlog}`);
  }
  for (const b of status.backfill) lines.push(`  backfill ${b.direction} ${b.mapping}: ${b.done ? 'complete' : `in progress, after ${JSON.stringify(b.after)}`}, ${n(b.rows)} rows (${b.updatedAt})`);
  if (status.backfill.length === 0) lines.push('  backfill: never run');
  for (const s of status.sync) lines.push(`  sync ${s.direction}: ${n(s.appliedChanges)} changes applied, last at ${s.lastAppliedAt ?? 'never'} (authority ${s.authority})`);
  if (status.sync.length === 0) lines.push('  sync: never run');
  for (const r of status.rows) lines.push(`  rows ${r.mapping}: monolith ${n(r.monolith)}, service ${n(r.service)}`);
  return lines.join('\n');
}
