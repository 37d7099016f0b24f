import type { Row } from '../types';

/** Two values a driver gave for one column: identical, or not known to be (then false). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return Object.is(a.getTime(), b.getTime());
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return false;
}

/**
 * Whether two reads of a row gave the same values, column for column. A mapping's transform and
 * canonical form are functions of the row alone, so a row read again unchanged has the state
 * already computed for it: only a row that differs (or holds a value this cannot compare) needs
 * transforming and hashing again. Never true for rows that differ.
 */
export function sameRow(a: Row, b: Row): boolean {
  const columns = Object.keys(a);
  if (columns.length !== Object.keys(b).length) return false;
  for (const column of columns) {
    if (!Object.prototype.hasOwnProperty.call(b, column) || !sameValue(a[column], b[column])) return false;
  }
  return true;
}
