import { minorDigits, type Currency } from './currencies';

/** Largest amount accepted anywhere: fits DECIMAL(15,3) and a JS safe integer of minor units. */
export const MAX_MAJOR_DIGITS = 12;

export type DecimalParseResult = { ok: true; minor: bigint } | { ok: false; reason: string };

/**
 * Parses a decimal string in major units ("19.99") into integer minor units with string arithmetic:
 * no float ever touches the value. At most `minorDigits(currency)` decimals; no sign, exponent or
 * thousands separators.
 */
export function parseDecimalAmount(text: string, currency: Currency): DecimalParseResult {
  const digits = minorDigits(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return { ok: false, reason: 'must be a decimal string like "19.99"' };
  const whole = match[1] ?? '';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    return { ok: false, reason: digits === 0 ? `${currency} has no minor units` : `${currency} allows at most ${digits} decimal places` };
  }
  if (whole.replace(/^0+/, '').length > MAX_MAJOR_DIGITS) return { ok: false, reason: 'is too large' };
  return { ok: true, minor: BigInt(whole + fraction.padEnd(digits, '0')) };
}

/** Integer minor units → the API's decimal string with exactly the currency's digits. */
export function formatMinorUnits(minor: bigint, currency: Currency): string {
  const digits = minorDigits(currency);
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? text : text.slice(0, -digits);
  const fraction = digits === 0 ? '' : `.${text.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/**
 * A DECIMAL column value → minor units. mysql2 yields a string ("19.990"); SQLite yields a number,
 * which for the magnitudes we allow (≤ 15 significant digits) prints back exactly via toFixed.
 */
export function decimalColumnToMinor(value: unknown, currency: Currency): bigint {
  const digits = minorDigits(currency);
  const text = typeof value === 'number' ? value.toFixed(digits) : String(value);
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new TypeError(`not a DECIMAL value: ${text}`);
  const fraction = (match[3] ?? '').padEnd(digits, '0');
  if (/[1-9]/.test(fraction.slice(digits))) throw new RangeError(`${text} has more than ${digits} decimals for ${currency}`);
  const minor = BigInt((match[2] ?? '') + fraction.slice(0, digits));
  return match[1] ? -minor : minor;
}

/** Minor units → a DECIMAL literal for writing (a string, so the driver never sees a float). */
export function minorToDecimalColumn(minor: bigint, currency: Currency): string {
  return formatMinorUnits(minor, currency);
}
