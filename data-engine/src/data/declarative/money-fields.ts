import type { Currency } from '@strangler/kit';
import { decimalToMinor, integerToMinor, minorToDecimal, minorToInteger, showMoney } from '../money-columns';
import type { SideName } from '../types';
import type { ColumnSpec } from './mapping-file-schema';

export type MoneySpec = Extract<ColumnSpec, { type: 'money' }>;

/** An amount read from a row: exact minor units and the currency that says their digits. */
export interface Amount {
  minor: bigint;
  currency: Currency;
}

/**
 * A money column's value as minor units: the monolith's DECIMAL in major units (exact or refused,
 * never rounded), or the service's integer of minor units.
 */
export function readAmount(value: unknown, side: SideName, currency: Currency, what: string, column: string): Amount {
  if (side === 'monolith') return { minor: decimalToMinor(value, currency, what, column), currency };
  try {
    return { minor: integerToMinor(value), currency };
  } catch {
    throw new RangeError(`${what} has ${column} ${String(value)}, not a whole number of ${currency} minor units`);
  }
}

/** What to write: a DECIMAL string with the currency's digits, or the digits of the minor units. */
export const writeAmount = (amount: Amount, side: SideName): string =>
  side === 'monolith' ? minorToDecimal(amount.minor, amount.currency) : minorToInteger(amount.minor);

/**
 * The money rules a mapping declares (`positive`, `max`), in declaration order, both ways: a row
 * breaking them is refused by name before any database sees it.
 */
export function checkAmounts(what: string, specs: ReadonlyArray<[string, MoneySpec]>, amounts: ReadonlyMap<string, Amount>): void {
  const labelOf = (field: string) => specs.find(([name]) => name === field)?.[1].label ?? field;
  for (const [field, spec] of specs) {
    const amount = amounts.get(field);
    if (!amount) continue; // NULL (a nullable column): nothing to check
    // Spelled out only for a refusal: this runs for every row carried.
    const show = () => showMoney(amount.minor, amount.currency);
    if (spec.positive && amount.minor <= 0n) throw new RangeError(`${what} has ${labelOf(field)} ${show()}: it must be positive`);
    const max = spec.max === undefined ? undefined : amounts.get(spec.max);
    if (spec.max !== undefined && max && (amount.minor < 0n || amount.minor > max.minor)) {
      throw new RangeError(`${what} has ${labelOf(field)} ${show()} outside 0 … ${labelOf(spec.max)} ${showMoney(max.minor, max.currency)}`);
    }
  }
}
