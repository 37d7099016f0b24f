import type { Knex } from 'knex';
import type { KeyTuple, Row } from './types';

/** A key as a Map/Set key. */
export const keyText = (key: KeyTuple): string => JSON.stringify(key);

export function keyFromText(text: string): KeyTuple {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || parsed.length === 0) throw new TypeError(`not an entity key: ${text}`);
  return parsed.map((part) => String(part));
}

/** Reads the key columns of a row as text (SQLite may hand back numbers for numeric-looking text). */
export function keyOfRow(row: Row, columns: readonly string[]): KeyTuple {
  return columns.map((column) => {
    const value = row[column];
    if (value === null || value === undefined) throw new TypeError(`row has no value for key column ${column}`);
    return String(value as string | number | bigint); // key columns hold text or numbers
  });
}

/**
 * Orders keys part by part, by code unit. Both databases order our keys the same way (UUIDs and hex
 * digests: digits, lowercase letters and '-', which every collation sorts as ASCII does), so ranges
 * read from one side line up with the other. See docs/decisions/0007-change-capture.md.
 */
export function compareKeys(a: KeyTuple, b: KeyTuple): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Key ranges for keyset paging: `after` exclusive, `through` inclusive, either open. */
export interface KeyRange {
  after?: KeyTuple | undefined;
  through?: KeyTuple | undefined;
}

/** (a, b) > (x, y) spelled out (`a > x or (a = x and b > y)`), which every engine's range optimiser uses. */
function compareClause(query: Knex.QueryBuilder, columns: readonly string[], key: KeyTuple, op: '>' | '<='): void {
  const strict = op === '>' ? '>' : '<';
  query.where((outer) => {
    columns.forEach((_column, depth) => {
      outer.orWhere((inner) => {
        for (let i = 0; i < depth; i++) inner.where(columns[i] as string, '=', key[i] as string);
        const last = depth === columns.length - 1;
        inner.where(columns[depth] as string, last ? (op === '>' ? '>' : '<=') : strict, key[depth] as string);
      });
    });
  });
}

export function whereInRange(query: Knex.QueryBuilder, columns: readonly string[], range: KeyRange): Knex.QueryBuilder {
  if (range.after) compareClause(query, columns, range.after, '>');
  if (range.through) compareClause(query, columns, range.through, '<=');
  return query;
}

export function whereKeyIn(query: Knex.QueryBuilder, columns: readonly string[], keys: readonly KeyTuple[]): Knex.QueryBuilder {
  if (columns.length === 1) return query.whereIn(columns[0] as string, keys.map((key) => key[0] as string));
  return query.where((outer) => {
    for (const key of keys) {
      outer.orWhere((inner) => {
        for (const [i, column] of columns.entries()) inner.where(column, '=', key[i] as string);
      });
    }
  });
}
