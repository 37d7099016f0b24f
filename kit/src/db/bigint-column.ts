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
