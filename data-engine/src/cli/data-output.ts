import type { ApplyCounts } from '../data/apply/apply-types';
import type { BackfillReport } from '../data/backfill/backfill';
import type { QuarantineRecord } from '../data/quarantine/quarantine-store';
import type { CapabilityStatus } from '../data/status';
import type { VerifyReport } from '../data/verify/verify';

const n = (value: number) => value.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
const key = (k: readonly string[]) => JSON.stringify(k);

function counts(c: ApplyCounts, dry: boolean): string {
  const word = (w: string) => (dry ? `would be ${w}` : w);
  const parts = [`${word('inserted')} ${n(c.inserted)}`, `${word('updated')} ${n(c.updated)}`, `unchanged ${n(c.unchanged)}`];
  if (c.kept) parts.push(`kept the target's newer change ${n(c.kept)}`);
  if (c.moved) parts.push(`changed while copied, left to the sync ${n(c.moved)}`);
  if (c.tombstoned) parts.push(`deleted on the target, not brought back ${n(c.tombstoned)}`);
  if (c.conflicts) parts.push(`conflicts ${n(c.conflicts)}`);
  if (c.quarantined) parts.push(`${word('quarantined')} ${n(c.quarantined)}`);
  const pulled = c.pulledIn ? `; plus ${n(c.pulledIn)} parent row(s) of other mappings pulled in, not counted above` : '';
  return parts.join(', ') + pulled;
}

export function formatBackfill(report: BackfillReport): string {
  const lines = [`backfill ${report.capability} ${report.direction}${report.dryRun ? ' (dry run: nothing written)' : ''}`];
  for (const m of report.mappings) {
    if (m.status === 'already-done') {
      lines.push(`  ${m.mapping}: already complete (${n(m.totalRows)} rows; --restart to copy again)`);
      continue;
    }
    const resumed = m.resumedAfter ? ` resumed after ${key(m.resumedAfter)},` : '';
    lines.push(`  ${m.mapping}: ${m.status === 'stopped' ? 'STOPPED,' : ''}${resumed} ${n(m.rows)} rows in ${m.chunks} chunks, ${seconds(m.durationMs)}, ${n(m.rowsPerSecond)} rows/s — ${counts(m.counts, report.dryRun)}`);
    for (const q of m.quarantined) lines.push(`    ${report.dryRun ? 'would set aside' : 'set aside'} ${key(q.key)} (${q.kind}): ${q.reason}`);
    if (m.counts.quarantined > m.quarantined.length) lines.push(`    … ${n(m.counts.quarantined - m.quarantined.length)} more (npm run data -- quarantine list ${report.capability})`);
  }
  lines.push(report.stopped ? '  stopped before the end: run the same command again to resume' : `  done: ${n(report.rows)} rows in ${seconds(report.durationMs)}`);
  return lines.join('\n');
}

export function formatVerify(report: VerifyReport): string {
  const lines = [`verify ${report.capability}: ${report.ok ? 'EQUAL' : 'DIFFERENT'} (${n(report.rows)} rows, ${seconds(report.durationMs)}, ${n(report.rowsPerSecond)} rows/s)`];
  for (const m of report.mappings) {
    const settled = m.settledOnRecheck ? `, ${m.settledOnRecheck} chunk(s) settled on re-check` : '';
    lines.push(`  ${m.mapping}: monolith ${n(m.monolithRows)}, service ${n(m.serviceRows)} rows, ${m.chunks} chunks${settled}: ${m.differences ? `${n(m.differences)} difference(s)` : 'equal'}`);
    for (const d of m.reported) {
      if (d.kind === 'different') {
        const fields = Object.entries(d.fields ?? {}).map(([field, v]) => `${field}: monolith ${JSON.stringify(v.monolith)} ≠ service ${JSON.stringify(v.service)}`);
        lines.push(`    different ${key(d.key)}: ${fields.join('; ')}`);
      } else if (d.kind === 'unreadable') lines.push(`    unreadable on the ${d.side} ${key(d.key)}: ${d.error}`);
      else lines.push(`    ${d.kind} ${key(d.key)}`);
    }
    if (m.differences > m.reported.length) lines.push(`    … ${n(m.differences - m.reported.length)} more (--max-report, --json)`);
  }
  for (const invariant of report.invariants) {
    lines.push(`  invariant ${invariant.name}: ${invariant.violations ? `BROKEN ${n(invariant.violations)} time(s)` : 'holds'} — ${invariant.rule}`);
    for (const v of invariant.samples) lines.push(`    ${v.side === 'both' ? 'across the sides' : `on the ${v.side}`} ${key(v.key)}: ${v.detail}`);
    if (invariant.violations > invariant.samples.length) lines.push(`    … ${n(invariant.violations - invariant.samples.length)} more (--json)`);
  }
  if (report.quarantine.open) {
    lines.push(`  quarantine: ${n(report.quarantine.open)} open (npm run data -- quarantine list ${report.capability})`);
    for (const q of report.quarantine.items.slice(0, 10)) lines.push(`    ${q.direction} ${q.mapping} ${key(q.key)} (${q.kind}): ${q.reason}`);
  }
  return lines.join('\n');
}

export function formatStatus(status: CapabilityStatus): string {
  const lines = [`${status.capability}`];
  for (const side of ['monolith', 'service'] as const) {
    const c = status.capture[side];
    const state = c.installed
      ? `installed${c.outdated ? ` (${c.outdated} trigger(s) of an older definition: capture install replaces them)` : ''}`
      : c.triggers || c.changelog
        ? `PARTIAL (${c.triggers}/${c.expectedTriggers} triggers${c.changelog ? '' : ', no changelog'})`
        : 'not installed';
    const oldest = c.oldestPending ? `, oldest ${c.oldestPending.ageSeconds.toFixed(1)}s old (${c.oldestPending.mapping} ${key(c.oldestPending.key)})` : '';
    const backlog = c.changelog ? `, ${n(c.pending)} change(s) waiting${oldest}` : '';
    lines.push(`  capture on the ${side}: ${state}${backlog}`);
  }
  for (const b of status.backfill) lines.push(`  backfill ${b.direction} ${b.mapping}: ${b.done ? 'complete' : `in progress, after ${key(b.after ?? [])}`}, ${n(b.rows)} rows (${b.updatedAt})`);
  if (status.backfill.length === 0) lines.push('  backfill: never run');
  for (const s of status.sync) lines.push(`  sync ${s.direction}: ${n(s.appliedChanges)} changes applied, last at ${s.lastAppliedAt ?? 'never'}`);
  // Read from the databases' checkpoints: a worker that has run but found nothing to apply has saved none.
  if (status.sync.length === 0) lines.push('  sync: no change applied yet in either direction (a running worker saves its first checkpoint with its first change)');
  for (const direction of ['to-service', 'to-monolith'] as const) {
    const q = status.quarantine[direction];
    const kinds = Object.entries(q.byKind).map(([kind, count]) => `${kind} ${n(count ?? 0)}`).join(', ');
    const settled = q.settledByRule ? `; ${n(q.settledByRule)} conflict(s) settled by rule so far` : '';
    lines.push(`  quarantine ${direction}: ${q.open ? `${n(q.open)} OPEN (${kinds})` : 'empty'}${settled}`);
    for (const item of q.samples) lines.push(`    ${item.mapping} ${key(item.key)} (${item.kind}, since ${item.firstSeenAt}): ${item.reason}`);
  }
  for (const r of status.rows) lines.push(`  rows ${r.mapping}: monolith ${n(r.monolith)}, service ${n(r.service)}`);
  return lines.join('\n');
}

export function formatQuarantine(capability: string, items: readonly QuarantineRecord[], total: number, all: boolean): string {
  if (total === 0) return `${capability}: the quarantine is empty${all ? '' : ' (nothing open; --all lists resolved entries too)'}`;
  const lines = [`${capability}: ${n(total)} ${all ? '' : 'open '}quarantine entr${total === 1 ? 'y' : 'ies'}`];
  for (const item of items) {
    const state = item.resolvedAt ? `resolved ${new Date(item.resolvedAt).toISOString()} (${item.resolution ?? ''})` : `open, ${item.attempts} attempt(s), next ${new Date(item.nextRetryAt).toISOString()}`;
    lines.push(`  ${item.direction} ${item.mapping} ${key(item.key)} — ${item.kind}, since ${new Date(item.firstSeenAt).toISOString()}, ${state}`);
    lines.push(`    ${item.reason}`);
    lines.push(`    ${item.direction === 'to-service' ? 'monolith' : 'service'} (source): ${JSON.stringify(item.source)}`);
    lines.push(`    ${item.direction === 'to-service' ? 'service' : 'monolith'} (target): ${JSON.stringify(item.target)}`);
  }
  if (total > items.length) lines.push(`  … ${n(total - items.length)} more (--limit, --json)`);
  return lines.join('\n');
}
