import type { SeedProgress, SeedSummary } from './seed-database';

const count = (n: number) => n.toLocaleString('en-US');

export function formatProgress(progress: SeedProgress): string {
  const width = count(progress.total).length;
  return `seed: ${progress.phase.padEnd(8)} ${count(progress.done).padStart(width)} / ${count(progress.total)}\n`;
}

export function formatSummary(summary: SeedSummary, loginHint: string | null): string {
  const seconds = summary.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(summary.totalRows / seconds) : summary.totalRows;
  const lines = [`seed: wrote ${count(summary.totalRows)} rows in ${seconds.toFixed(2)} s (${count(rate)} rows/s)`];
  const width = Math.max(...Object.values(summary.rows).map((n) => count(n).length));
  for (const [table, rows] of Object.entries(summary.rows)) lines.push(`  ${table.padEnd(12)} ${count(rows).padStart(width)}`);
  lines.push(`seed: run ${summary.runId}, seed ${summary.seed} (--seed ${summary.seed} repeats the same data with new ids and emails)`);
  if (loginHint) lines.push(`seed: ${loginHint}`);
  return `${lines.join('\n')}\n`;
}

