import type { Knex } from 'knex';
import type { Capability } from '../capabilities/capability';
import { canonicalText, digest, type CanonicalRow } from '../canonical';
import { compareKeys, keyText, type KeyRange } from '../keys';
import type { EntityMapping } from '../mapping';
import type { InvariantReport } from '../invariants/invariant';
import { silentProgress, type ProgressReporter } from '../progress/progress-reporter';
import { listQuarantine, type QuarantineRecord } from '../quarantine/quarantine-store';
import type { KeyTuple, Row, SideName } from '../types';
import { InvariantCollector } from './invariant-collector';

export interface VerifyOptions {
  capability: Capability;
  monolith: Knex;
  service: Knex;
  mappings?: readonly string[];
  /** Rows read per side per chunk. */
  chunkSize?: number;
  /** How often a differing chunk is read again before it counts as different (in-flight sync). */
  rechecks?: number;
  recheckDelayMs?: number;
  /** Row-level differences listed per mapping (all are counted). */
  maxReported?: number;
  /** Check the capability's invariants on both sides too (default true). */
  invariants?: boolean;
  progress?: ProgressReporter;
}

export type DifferenceKind = 'missing-on-service' | 'missing-on-monolith' | 'different' | 'unreadable';

export interface RowDifference {
  key: KeyTuple;
  kind: DifferenceKind;
  /** For 'different': each field that differs, with both canonical values. */
  fields?: Record<string, { monolith: unknown; service: unknown }>;
  /** For 'unreadable': the side whose row the mapping could not read, and why. */
  side?: SideName;
  error?: string;
}

export interface MappingVerifyReport {
  mapping: string;
  monolithRows: number;
  serviceRows: number;
  chunks: number;
  /** Chunks whose checksums differed at first but matched on a re-check (sync in flight). */
  settledOnRecheck: number;
  differentChunks: number;
  differences: number;
  reported: RowDifference[];
}

export interface VerifyReport {
  capability: string;
  /** Both sides hold the same rows, and every invariant holds on both. */
  ok: boolean;
  rows: number;
  durationMs: number;
  rowsPerSecond: number;
  mappings: MappingVerifyReport[];
  /** What the data must mean (payments add up, one user per email, …), checked on both sides. */
  invariants: InvariantReport[];
  /** Entities the sync or backfill set aside and are still open (first 50 of each side; `open` counts all). */
  quarantine: { open: number; items: Array<Pick<QuarantineRecord, 'direction' | 'mapping' | 'key' | 'kind' | 'reason' | 'attempts' | 'firstSeenAt'>> };
}

/** Differing rows kept per mapping for the cross-side invariants (beyond it they are only counted). */
const MAX_DIFFERENCES_CHECKED = 10_000;

/** A side's rows of one chunk in canonical form, keyed, with the chunk's checksum. */
interface ChunkSide {
  rows: Map<string, { key: KeyTuple; canonical?: CanonicalRow; error?: string }>;
  checksum: string;
}

function canonicalChunk(mapping: EntityMapping, side: SideName, rows: readonly Row[]): ChunkSide {
  const sideSpec = side === 'monolith' ? mapping.monolith : mapping.service;
  const entries: Array<[string, { key: KeyTuple; canonical?: CanonicalRow; error?: string }, string]> = [];
  for (const row of rows) {
    const key = sideSpec.keyOf(row);
    try {
      const canonical = mapping.canonical(side, row);
      entries.push([keyText(key), { key, canonical }, canonicalText(canonical)]);
    } catch (error) {
      entries.push([keyText(key), { key, error: (error as Error).message }, `!unreadable ${(error as Error).message}`]);
    }
  }
  entries.sort((a, b) => compareKeys(a[1].key, b[1].key));
  const checksum = digest(entries.map(([text, , canonical]) => `${text}\u0000${canonical}`).join('\n'));
  return { rows: new Map(entries.map(([text, entry]) => [text, entry])), checksum };
}

function rowDifferences(monolith: ChunkSide, service: ChunkSide): RowDifference[] {
  const differences: RowDifference[] = [];
  const keys = new Map<string, KeyTuple>();
  for (const [text, entry] of monolith.rows) keys.set(text, entry.key);
  for (const [text, entry] of service.rows) keys.set(text, entry.key);
  for (const [text, key] of [...keys.entries()].sort((a, b) => compareKeys(a[1], b[1]))) {
    const m = monolith.rows.get(text);
    const s = service.rows.get(text);
    if (m?.error !== undefined) differences.push({ key, kind: 'unreadable', side: 'monolith', error: m.error });
    else if (s?.error !== undefined) differences.push({ key, kind: 'unreadable', side: 'service', error: s.error });
    else if (!s) differences.push({ key, kind: 'missing-on-service' });
    else if (!m) differences.push({ key, kind: 'missing-on-monolith' });
    else if (m.canonical && s.canonical && canonicalText(m.canonical) !== canonicalText(s.canonical)) {
      const fields: Record<string, { monolith: unknown; service: unknown }> = {};
      for (const field of new Set([...Object.keys(m.canonical), ...Object.keys(s.canonical)])) {
        const a = m.canonical[field] ?? null;
        const b = s.canonical[field] ?? null;
        if (a !== b) fields[field] = { monolith: a, service: b };
      }
      differences.push({ key, kind: 'different', fields });
    }
  }
  return differences;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Compares both sides of every mapping in canonical form (each side's rows transformed into the
 * same representation), chunk by chunk in key order: a checksum per chunk and side; in a chunk whose
 * checksums differ, the differing rows are read again a few times (sync may be mid-flight) and only
 * those that never converge are reported. Chunk bounds come from both sides, so rows only one side
 * has are found too.
 */
export async function runVerify(options: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const reports: MappingVerifyReport[] = [];
  const checkInvariants = options.invariants ?? true;
  const invariants = new InvariantCollector(
    options.capability,
    { monolith: options.monolith, service: options.service },
    { rechecks: options.rechecks ?? 3, recheckDelayMs: options.recheckDelayMs ?? 500 },
  );
  for (const mapping of options.capability.mappings) {
    if (options.mappings && !options.mappings.includes(mapping.name)) continue;
    reports.push(await verifyMapping(options, mapping, checkInvariants ? invariants : undefined));
  }
  if (checkInvariants) await invariants.settle();
  if (checkInvariants && !options.mappings) await invariants.checkSides();
  const rows = reports.reduce((sum, report) => sum + Math.max(report.monolithRows, report.serviceRows), 0);
  const invariantReports = checkInvariants ? invariants.results() : [];
  const durationMs = Date.now() - started;
  return {
    capability: options.capability.name,
    ok: reports.every((report) => report.differences === 0) && invariantReports.every((report) => report.violations === 0),
    rows,
    durationMs,
    rowsPerSecond: durationMs > 0 ? Math.round((rows * 1000) / durationMs) : rows,
    mappings: reports,
    invariants: invariantReports,
    quarantine: await openQuarantine(options),
  };
}

async function openQuarantine(options: VerifyOptions): Promise<VerifyReport['quarantine']> {
  const open: QuarantineRecord[] = [];
  let count = 0;
  for (const db of [options.service, options.monolith]) {
    const items = await listQuarantine(db, options.capability.name, { open: true });
    count += items.length;
    open.push(...items.slice(0, 50));
  }
  return { open: count, items: open.map(({ direction, mapping, key, kind, reason, attempts, firstSeenAt }) => ({ direction, mapping, key, kind, reason, attempts, firstSeenAt })) };
}

async function verifyMapping(options: VerifyOptions, mapping: EntityMapping, invariants: InvariantCollector | undefined): Promise<MappingVerifyReport> {
  const chunkSize = options.chunkSize ?? 2_000;
  const rechecks = options.rechecks ?? 3;
  const maxReported = options.maxReported ?? 50;
  const progress = options.progress ?? silentProgress;
  const report: MappingVerifyReport = { mapping: mapping.name, monolithRows: 0, serviceRows: 0, chunks: 0, settledOnRecheck: 0, differentChunks: 0, differences: 0, reported: [] };
  const [monolithTotal, serviceTotal] = await Promise.all([mapping.monolith.count(options.monolith), mapping.service.count(options.service)]);
  const total = Math.max(monolithTotal, serviceTotal);
  const task = `verify ${options.capability.name}/${mapping.name}`;
  const readBoth = (range: KeyRange, limit?: number) =>
    Promise.all([mapping.monolith.readRange(options.monolith, range, limit), mapping.service.readRange(options.service, range, limit)]);

  let after: KeyTuple | undefined;
  for (;;) {
    const [m, s] = await readBoth({ after }, chunkSize);
    if (m.length === 0 && s.length === 0) break;
    // The chunk ends where the side that filled its page first ends; rows past it come next time.
    const lastM = m.length === chunkSize ? mapping.monolith.keyOf(m[m.length - 1] as Row) : undefined;
    const lastS = s.length === chunkSize ? mapping.service.keyOf(s[s.length - 1] as Row) : undefined;
    const through = lastM && lastS ? (compareKeys(lastM, lastS) <= 0 ? lastM : lastS) : (lastM ?? lastS);
    const within = (side: EntityMapping['monolith'], rows: Row[]) => (through ? rows.filter((row) => compareKeys(side.keyOf(row), through) <= 0) : rows);
    const monolith = canonicalChunk(mapping, 'monolith', within(mapping.monolith, m));
    const service = canonicalChunk(mapping, 'service', within(mapping.service, s));
    await invariants?.checkRows(mapping.name, 'monolith', [...monolith.rows.values()]);
    await invariants?.checkRows(mapping.name, 'service', [...service.rows.values()]);
    report.chunks += 1;
    if (monolith.checksum !== service.checksum) {
      // Re-read only the rows that differ, each time dropping those that have converged: under steady
      // writes some row of a whole chunk is nearly always mid-flight, so a chunk-wide re-read would
      // rarely come out equal even though every single row does within the sync lag.
      let differences = rowDifferences(monolith, service);
      for (let attempt = 1; attempt <= rechecks && differences.length > 0; attempt++) {
        await sleep((options.recheckDelayMs ?? 500) * attempt);
        const keys = differences.map((d) => d.key);
        const [m2, s2] = await Promise.all([mapping.monolith.readKeys(options.monolith, keys), mapping.service.readKeys(options.service, keys)]);
        differences = rowDifferences(canonicalChunk(mapping, 'monolith', m2), canonicalChunk(mapping, 'service', s2));
      }
      if (differences.length === 0) report.settledOnRecheck += 1;
      else {
        report.differentChunks += 1;
        if (report.differences < MAX_DIFFERENCES_CHECKED) await invariants?.checkDifferences(mapping.name, differences.slice(0, MAX_DIFFERENCES_CHECKED - report.differences));
        report.differences += differences.length;
        report.reported.push(...differences.slice(0, Math.max(0, maxReported - report.reported.length)));
      }
    }
    report.monolithRows += monolith.rows.size;
    report.serviceRows += service.rows.size;
    progress.update({ task, done: Math.max(report.monolithRows, report.serviceRows), total });
    if (!through) break;
    after = through;
  }
  progress.finish({ task, done: Math.max(report.monolithRows, report.serviceRows), total }, report.differences ? `${report.differences} difference(s)` : 'equal');
  return report;
}
