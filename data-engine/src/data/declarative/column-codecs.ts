import { toDate } from '@strangler/kit';
import { canon, type CanonicalValue } from '../canonical';
import { currencyOf } from '../money-columns';
import type { Direction } from '../types';
import type { ColumnSpec } from './mapping-file-schema';

/** Names the row and column in a refusal: "payment 6f1b…" and "status". */
export interface ValueContext {
  what: string;
  label: string;
}

/**
 * How a column's value crosses (exactly, or refused naming the row and column) and its canonical
 * form, taken from the value as the service stores it. Money is not here: it needs the row's
 * currency and its checks span columns (money-fields.ts).
 */
export interface ValueCodec {
  carry(value: unknown, direction: Direction, context: ValueContext): unknown;
  canonical(value: unknown): CanonicalValue;
}

const text: ValueCodec = {
  carry: (value) => value,
  canonical: (value) => canon.text(value),
};

/** A JS-safe integer from a number, digits or a bigint: never a fraction, never rounded. */
function integerOf(value: unknown, context: ValueContext): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new RangeError(`${context.what} has a non-integer ${context.label} ${String(value)}`);
  return n;
}

const integer: ValueCodec = {
  carry: (value, _direction, context) => integerOf(value, context),
  canonical: (value) => canon.integer(value),
};

/** The engine's timestamp form: a Date to write, epoch milliseconds to compare (canonical.ts). */
const timestamp: ValueCodec = {
  carry(value, _direction, context) {
    let date: Date;
    try {
      date = toDate(value);
    } catch {
      date = new Date(Number.NaN);
    }
    if (Number.isNaN(date.getTime())) throw new RangeError(`${context.what} has an invalid timestamp ${String(value)} in ${context.label}`);
    return date;
  },
  canonical: (value) => canon.time(value),
};

/** JSON with object keys sorted: the same document compares equal however a driver spelled it. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function parsedJson(value: unknown, context?: ValueContext): unknown {
  if (typeof value !== 'string') return value; // a JSON column the driver already parsed
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new RangeError(`${context?.what ?? 'a row'} has ${context?.label ?? 'a column'} that is not JSON (${(error as Error).message})`);
  }
}

/** Text is carried byte for byte (checked to be JSON); a parsed document is written as its JSON. */
const json: ValueCodec = {
  carry(value, _direction, context) {
    parsedJson(value, context);
    return typeof value === 'string' ? value : JSON.stringify(value);
  },
  canonical: (value) => stableJson(parsedJson(value)),
};

/** An ISO 4217 code the engine knows the minor digits of (kit's currency list). */
const currency: ValueCodec = {
  carry: (value, _direction, context) => currencyOf(value, context.what, context.label),
  canonical: (value) => canon.text(value),
};

/** An enum's two spellings: monolith value ⇄ service value, one to one. */
function enumCodec(spec: Extract<ColumnSpec, { type: 'enum' }>): ValueCodec {
  const pairs: Array<[string, string]> = Array.isArray(spec.values)
    ? spec.values.map((value) => [spec.monolithCase === 'upper' ? value.toUpperCase() : spec.monolithCase === 'lower' ? value.toLowerCase() : value, value])
    : Object.entries(spec.values);
  const toService = new Map(pairs);
  const toMonolith = new Map(pairs.map(([monolith, service]) => [service, monolith]));
  return {
    carry(value, direction, context) {
      const [map, from] = direction === 'to-service' ? [toService, 'monolith'] : [toMonolith, 'service'];
      const carried = typeof value === 'string' ? map.get(value) : undefined;
      if (carried === undefined) throw new RangeError(`${context.what} has unknown ${from} ${context.label} ${JSON.stringify(value)}`);
      return carried;
    },
    // As the service stores it: an unknown value is a difference verify shows, not an unreadable row.
    canonical: (value) => canon.text(value),
  };
}

export function valueCodec(spec: Exclude<ColumnSpec, { type: 'money' }>): ValueCodec {
  switch (spec.type) {
    case 'text':
      return text;
    case 'integer':
      return integer;
    case 'timestamp':
      return timestamp;
    case 'currency':
      return currency;
    case 'json':
      return json;
    case 'enum':
      return enumCodec(spec);
  }
}
