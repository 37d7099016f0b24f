/**
 * A BIGINT column value → bigint. mysql2 (supportBigNumbers + bigNumberStrings) yields a string;
 * better-sqlite3 yields a number, exact for the magnitudes we store (< 2^53: at most 15 digits of
 * minor units). Anything else (a fraction, an unsafe number, text) is refused, never rounded.
 */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) return BigInt(value);
  throw new TypeError(`not an integer column value: ${String(value)}`);
}

/**
 * bigint → what to bind for a BIGINT column: its decimal digits. Both drivers store that exactly
 * (SQLite's INTEGER affinity converts it), no float is involved, and knex can still print the
 * statement in an error message (its SQLite escaping throws on a bigint binding, hiding the
 * database's own error, e.g. a unique violation).
 */
export function toBigIntColumn(value: bigint): string {
  return value.toString();
}
