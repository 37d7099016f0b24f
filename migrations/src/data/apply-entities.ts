import type { Knex } from 'knex';
import type { Capability } from './capabilities/capability';
import { canonicalText, type CanonicalRow } from './canonical';
import { decide, type Contender } from './conflict-rule';
import { keyText, type KeyRange } from './keys';
import { sideOf, transformFor, type EntityMapping } from './mapping';
import { sourceOf, targetOf, type Direction, type KeyTuple, type Row, type SideName } from './types';

/** One entity that could not be read, transformed or written: reported with what and why. */
export class EntityError extends Error {
  constructor(
    readonly mapping: string,
    readonly key: KeyTuple,
    cause: unknown,
  ) {
    super(`${mapping} ${keyText(key)}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'EntityError';
  }
}

export interface ApplyContext {
  capability: Capability;
  direction: Direction;
  source: Knex;
  target: Knex;
  /** Wins ties under the conflict rule (equal versions, different content). */
  authority: SideName;
}

/** What to do for one mapping: the source's current rows, and keys the source no longer has. */
export interface MappingWork {
  mapping: EntityMapping;
  rows: Row[];
  deleted: KeyTuple[];
  /** The key range the rows cover (a backfill chunk): the target is read by range, not by key list. */
  range?: KeyRange;
}

interface PreparedRow {
  key: KeyTuple;
  /** The row as the source holds it. */
  source: Row;
  /** The row as the target will store it. */
  written: Row;
  /** Computed only when needed (the target has the entity, or a parent key is wanted). */
  contender?: Contender & { canonical: CanonicalRow };
}

interface PreparedMapping {
  mapping: EntityMapping;
  rows: PreparedRow[];
  deleted: KeyTuple[];
  range?: KeyRange;
}

export interface PreparedWork {
  byMapping: Map<string, PreparedMapping>;
}

export interface ApplyCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** The target's version won under the conflict rule. */
  kept: number;
  deleted: number;
}

export const emptyCounts = (): ApplyCounts => ({ inserted: 0, updated: 0, unchanged: 0, kept: 0, deleted: 0 });

export function addCounts(into: ApplyCounts, more: ApplyCounts): ApplyCounts {
  into.inserted += more.inserted;
  into.updated += more.updated;
  into.unchanged += more.unchanged;
  into.kept += more.kept;
  into.deleted += more.deleted;
  return into;
}

export interface ApplyResult {
  counts: ApplyCounts;
  byMapping: Map<string, ApplyCounts>;
  /** Entities whose target version won: the other direction should carry it back. */
  kept: Array<{ mapping: string; key: KeyTuple }>;
}

function contender(mapping: EntityMapping, side: SideName, row: Row): Contender & { canonical: CanonicalRow } {
  const canonical = mapping.canonical(side, row);
  return { side, version: mapping.version(canonical), text: canonicalText(canonical), canonical };
}

/** The source row's contender, through its service form (no second transform: see EntityMapping.canonical). */
function sourceContender(ctx: ApplyContext, mapping: EntityMapping, row: PreparedRow): Contender & { canonical: CanonicalRow } {
  if (!row.contender) {
    try {
      const serviceForm = ctx.direction === 'to-service' ? row.written : row.source;
      row.contender = { ...contender(mapping, 'service', serviceForm), side: sourceOf(ctx.direction) };
    } catch (error) {
      throw new EntityError(mapping.name, row.key, error);
    }
  }
  return row.contender;
}

function prepareRow(ctx: ApplyContext, mapping: EntityMapping, row: Row): PreparedRow {
  const key = sideOf(mapping, sourceOf(ctx.direction)).keyOf(row);
  try {
    return { key, source: row, written: transformFor(mapping, ctx.direction)(row) };
  } catch (error) {
    throw new EntityError(mapping.name, key, error);
  }
}

/**
 * Everything that needs the source, done before the target transaction opens: transforms (each
 * refuses what it cannot carry exactly), and the parents the target lacks (read from the source
 * and applied first, so a refund never arrives before its payment, whatever order the rows were
 * read or captured in).
 */
export async function prepareWork(ctx: ApplyContext, work: readonly MappingWork[]): Promise<PreparedWork> {
  const byMapping: PreparedWork['byMapping'] = new Map();
  const entry = (mapping: EntityMapping) => {
    let found = byMapping.get(mapping.name);
    if (!found) byMapping.set(mapping.name, (found = { mapping, rows: [], deleted: [] }));
    return found;
  };
  for (const item of work) {
    const target = entry(item.mapping);
    target.deleted.push(...item.deleted);
    if (item.range) target.range = item.range;
    for (const row of item.rows) target.rows.push(prepareRow(ctx, item.mapping, row));
  }
  // Children before parents, so parents pulled in for a child get their own parent check.
  for (const mapping of [...ctx.capability.mappings].reverse()) {
    const children = byMapping.get(mapping.name)?.rows ?? [];
    for (const link of mapping.parents) {
      if (children.length === 0) break;
      const parent = ctx.capability.mappings.find((candidate) => candidate.name === link.mapping);
      if (!parent) throw new Error(`${mapping.name} names an unknown parent mapping ${link.mapping}`);
      const have = new Set((byMapping.get(parent.name)?.rows ?? []).map((row) => keyText(row.key)));
      const wanted = new Map<string, KeyTuple>();
      for (const row of children) {
        const key = link.keyOf(sourceContender(ctx, mapping, row).canonical);
        if (!have.has(keyText(key))) wanted.set(keyText(key), key);
      }
      if (wanted.size === 0) continue;
      const targetSide = sideOf(parent, targetOf(ctx.direction));
      const present = new Set((await targetSide.readKeys(ctx.target, [...wanted.values()])).map((row) => keyText(targetSide.keyOf(row))));
      const missing = [...wanted.entries()].filter(([text]) => !present.has(text)).map(([, key]) => key);
      if (missing.length === 0) continue;
      const parentEntry = entry(parent);
      for (const row of await sideOf(parent, sourceOf(ctx.direction)).readKeys(ctx.source, missing)) parentEntry.rows.push(prepareRow(ctx, parent, row));
    }
  }
  return { byMapping };
}

/**
 * Applies prepared work to the target inside the caller's engine transaction (or, for a dry run,
 * only decides): deletes children-first, then upserts parents-first, each entity under the
 * conflict rule against the target's current (locked) row.
 */
export async function applyPrepared(ctx: ApplyContext, db: Knex, prepared: PreparedWork, options: { dryRun?: boolean } = {}): Promise<ApplyResult> {
  const result: ApplyResult = { counts: emptyCounts(), byMapping: new Map(), kept: [] };
  const countsFor = (name: string) => {
    let counts = result.byMapping.get(name);
    if (!counts) result.byMapping.set(name, (counts = emptyCounts()));
    return counts;
  };
  const targetName = targetOf(ctx.direction);
  const lock = !options.dryRun;
  const ordered = ctx.capability.mappings.filter((mapping) => prepared.byMapping.has(mapping.name));

  for (const mapping of [...ordered].reverse()) {
    const work = prepared.byMapping.get(mapping.name);
    if (!work || work.deleted.length === 0) continue;
    const side = sideOf(mapping, targetName);
    const existing = await side.readKeys(db, work.deleted, { lock });
    if (existing.length && !options.dryRun) await side.remove(db as Knex.Transaction, existing.map((row) => side.keyOf(row)));
    countsFor(mapping.name).deleted += existing.length;
  }

  for (const mapping of ordered) {
    const work = prepared.byMapping.get(mapping.name);
    if (!work || work.rows.length === 0) continue;
    const side = sideOf(mapping, targetName);
    const counts = countsFor(mapping.name);
    const targetRows = work.range
      ? await side.readRange(db, work.range, undefined, { lock })
      : await side.readKeys(db, work.rows.map((r) => r.key), { lock });
    const current = new Map<string, Row>(targetRows.map((row) => [keyText(side.keyOf(row)), row]));
    const toInsert: Row[] = [];
    const toUpdate: Row[] = [];
    const seen = new Set<string>();
    for (const row of work.rows) {
      const text = keyText(row.key);
      if (seen.has(text)) continue; // a parent pulled in twice
      seen.add(text);
      const targetRow = current.get(text);
      let theirs: Contender | undefined;
      if (targetRow) {
        try {
          theirs = contender(mapping, targetName, targetRow);
        } catch {
          // A target row the mapping cannot read is no contender: the source's version replaces it.
          theirs = { side: targetName, version: Number.NEGATIVE_INFINITY, text: '' };
        }
      }
      const decision = theirs ? decide(sourceContender(ctx, mapping, row), theirs, ctx.authority) : 'apply';
      if (decision === 'same') counts.unchanged += 1;
      else if (decision === 'keep') {
        counts.kept += 1;
        result.kept.push({ mapping: mapping.name, key: row.key });
      } else if (theirs) {
        toUpdate.push(row.written);
        counts.updated += 1;
      } else {
        toInsert.push(row.written);
        counts.inserted += 1;
      }
    }
    if (!options.dryRun) {
      // Rows the target had are locked and upserted; rows it lacked are inserted, so one that
      // appeared meanwhile fails the transaction (retried) rather than being overwritten blindly.
      await side.write(db as Knex.Transaction, toUpdate, 'upsert');
      await side.write(db as Knex.Transaction, toInsert, 'insert');
    }
  }
  for (const counts of result.byMapping.values()) addCounts(result.counts, counts);
  return result;
}
