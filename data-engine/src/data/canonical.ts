import { hash } from 'node:crypto';
import { toBigInt, toDate } from '@strangler/kit';

/**
 * The canonical form of an entity: what both sides must agree on, in one representation whichever
 * side it was read from and whichever driver read it. Values are text, integers (as numbers when
 * safe), epoch milliseconds, or null. Verification and the conflict rule compare these.
 */
export type CanonicalValue = string | number | null;
export type CanonicalRow = Readonly<Record<string, CanonicalValue>>;

export const canon = {
  text(value: unknown): string {
    if (typeof value !== 'string') throw new TypeError(`expected text, got ${typeof value} ${String(value)}`);
    return value;
  },
  nullableText(value: unknown): string | null {
    return value === null || value === undefined ? null : canon.text(value);
  },
  /** An INTEGER column: mysql2 and better-sqlite3 both give numbers, mysql2 sometimes strings. */
  integer(value: unknown): number {
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new TypeError(`expected an integer, got ${String(value)}`);
    return n;
  },
  /** A BIGINT (money in minor units): digits, never a float. */
  bigint(value: unknown): string {
    return toBigInt(value).toString();
  },
  /** DATETIME(3) (mysql2: Date) or epoch ms (SQLite): epoch milliseconds. */
  time(value: unknown): number {
    const ms = toDate(value).getTime();
    if (Number.isNaN(ms)) throw new TypeError(`expected a timestamp, got ${String(value)}`);
    return ms;
  },
  nullableTime(value: unknown): number | null {
    return value === null || value === undefined ? null : canon.time(value);
  },
};

/** The last row shape seen: its keys in their own order, and sorted. */
let shape: { keys: readonly string[]; sorted: readonly string[] } | undefined;

function sortedKeys(row: CanonicalRow): readonly string[] {
  const keys = Object.keys(row);
  const last = shape;
  if (last && last.keys.length === keys.length && keys.every((key, i) => key === last.keys[i])) return last.sorted;
  const sorted = [...keys].sort();
  shape = { keys, sorted };
  return sorted;
}

/**
 * Stable text of a canonical row: keys sorted, so equal rows give equal text. Rows of one mapping
 * share a shape, so the sorted keys are reused from one row to the next. (Built by JSON.stringify:
 * a text concatenated piece by piece is a rope that costs more to hash and join than it saves.)
 */
export function canonicalText(row: CanonicalRow): string {
  return JSON.stringify(sortedKeys(row).map((key) => [key, row[key] ?? null]));
}

export function digest(text: string): string {
  return hash('sha256', text, 'hex');
}
