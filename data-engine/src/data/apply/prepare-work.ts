import { canonicalText, digest, type CanonicalRow } from '../canonical';
import { ABSENT } from '../conflict-rule';
import { describeError } from '../errors/entity-errors';
import { keyText } from '../keys';
import { sideOf, transformFor, type EntityMapping } from '../mapping';
import { sourceOf, targetOf, type KeyTuple, type Row } from '../types';
import type { ApplyContext, MappingWork, PreparedMapping, PreparedRow, PreparedWork } from './apply-types';

export const stateHash = (canonical: CanonicalRow): string => digest(canonicalText(canonical));

/**
 * The source row transformed for the target and hashed in canonical form. The canonical form is
 * taken from the row in the service's shape (the transform's output going to the service, the row
 * itself coming from it), so each row is transformed once (see EntityMapping.canonical). A row the
 * transform refuses is kept with the reason: it is quarantined, not thrown.
 */
export function prepareRow(ctx: ApplyContext, mapping: EntityMapping, row: Row, pulledIn = false): PreparedRow {
  const key = sideOf(mapping, sourceOf(ctx.direction)).keyOf(row);
  const prepared: PreparedRow = { key, source: row, ...(pulledIn ? { pulledIn } : {}) };
  try {
    prepared.written = transformFor(mapping, ctx.direction)(row);
    prepared.canonical = mapping.canonical('service', ctx.direction === 'to-service' ? prepared.written : row);
    prepared.hash = stateHash(prepared.canonical);
  } catch (error) {
    prepared.invalid = describeError(error);
    delete prepared.written;
    delete prepared.canonical;
  }
  return prepared;
}

/** At most this long transforming without letting other work run (see prepareWork). */
const YIELD_EVERY_MS = 4;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export const deletedRow = (key: KeyTuple): PreparedRow => ({ key, source: null, hash: ABSENT });

/**
 * Everything that needs the source, done before the target transaction opens: transforms, and the
 * parents the target lacks (read from the source and applied first, so a refund never arrives
 * before its payment, whatever order the rows were read or captured in). A parent pulled in is
 * under the same rule as any other entity, tombstones included: a child never brings back a
 * parent whose delete was carried.
 */
export async function prepareWork(ctx: ApplyContext, work: readonly MappingWork[], options: { pullParents?: boolean } = {}): Promise<PreparedWork> {
  const byMapping: PreparedWork['byMapping'] = new Map();
  const entry = (mapping: EntityMapping): PreparedMapping => {
    let found = byMapping.get(mapping.name);
    if (!found) byMapping.set(mapping.name, (found = { mapping, rows: [] }));
    return found;
  };
  let slice = performance.now();
  for (const item of work) {
    const target = entry(item.mapping);
    if (item.range) target.range = item.range;
    for (const row of item.rows) {
      target.rows.push(prepareRow(ctx, item.mapping, row));
      // A backfill prepares the next chunk while the current one is written: give that chunk's
      // round trips their turn rather than holding the event loop for the whole chunk.
      if (performance.now() - slice > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        slice = performance.now();
      }
    }
    for (const key of item.deleted) target.rows.push(deletedRow(key));
  }
  if (options.pullParents === false) return { byMapping };
  // Children before parents, so parents pulled in for a child get their own parent check.
  for (const mapping of [...ctx.capability.mappings].reverse()) {
    const children = (byMapping.get(mapping.name)?.rows ?? []).filter((row) => row.canonical);
    for (const link of mapping.parents) {
      if (children.length === 0) break;
      const parent = ctx.capability.mappings.find((candidate) => candidate.name === link.mapping);
      if (!parent) throw new Error(`${mapping.name} names an unknown parent mapping ${link.mapping}`);
      const have = new Set((byMapping.get(parent.name)?.rows ?? []).map((row) => keyText(row.key)));
      const wanted = new Map<string, KeyTuple>();
      for (const row of children) {
        const key = link.keyOf(row.canonical as CanonicalRow);
        if (!have.has(keyText(key))) wanted.set(keyText(key), key);
      }
      if (wanted.size === 0) continue;
      const targetSide = sideOf(parent, targetOf(ctx.direction));
      const present = new Set((await targetSide.readKeys(ctx.target, [...wanted.values()])).map((row) => keyText(targetSide.keyOf(row))));
      const missing = [...wanted.entries()].filter(([text]) => !present.has(text)).map(([, key]) => key);
      if (missing.length === 0) continue;
      const parentEntry = entry(parent);
      for (const row of await sideOf(parent, sourceOf(ctx.direction)).readKeys(ctx.source, missing)) parentEntry.rows.push(prepareRow(ctx, parent, row, true));
    }
  }
  return { byMapping };
}
