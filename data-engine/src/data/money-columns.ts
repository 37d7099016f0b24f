import { decimalColumnToMinor, isCurrency, minorToDecimalColumn, toBigInt, toBigIntColumn, type Currency } from '@strangler/kit';

/**
 * Money as the engine carries it between a DECIMAL column in major units and an integer column in
 * minor units: exact or refused, never rounded. Used by every mapping that moves money (the
 * declarative compiler's `money` columns and the TypeScript payments transforms alike).
 */

/** A currency column's value, or a refusal naming the row (`what`) and the column. */
export function currencyOf(value: unknown, what: string, column = 'currency'): Currency {
  if (!isCurrency(value)) throw new RangeError(`${what} has unsupported ${column} ${JSON.stringify(value)}`);
  return value;
}

/**
 * A DECIMAL as the driver gave it, in minor units. SQLite hands back a REAL: its shortest decimal
 * text (String) is the digits written, whereas toFixed would round a third decimal of USD away.
 */
export function decimalToMinor(value: unknown, currency: Currency, what: string, column: string): bigint {
  try {
    return decimalColumnToMinor(typeof value === 'number' ? String(value) : value, currency);
  } catch (error) {
    throw new RangeError(`${what} has ${column} ${String(value)} that ${currency} cannot hold exactly (${(error as Error).message})`);
  }
}

/** An integer column of minor units as the driver gave it (a string, a number or a bigint). */
export const integerToMinor = (value: unknown): bigint => toBigInt(value);

/** Minor units → what to write to a DECIMAL column: a string with the currency's digits. */
export const minorToDecimal = (minor: bigint, currency: Currency): string => minorToDecimalColumn(minor, currency);

/** Minor units → what to write to an integer column: its digits. */
export const minorToInteger = (minor: bigint): string => toBigIntColumn(minor);

/** "10.00 USD": an amount as an operator reads it in a refusal. */
export const showMoney = (minor: bigint, currency: Currency): string => `${minorToDecimalColumn(minor, currency)} ${currency}`;
