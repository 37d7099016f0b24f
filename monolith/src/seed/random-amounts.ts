import type { Currency } from '@strangler/kit';
import type { SeededRandom } from './seeded-random';

/** Mostly USD/EUR/GBP, some JPY (0 decimals) and a little KWD (3 decimals) so every minor-unit width
 * the DECIMAL(15,3) columns hold shows up in the data. */
export const CURRENCY_MIX: readonly (readonly [Currency, number])[] = [
  ['USD', 45],
  ['EUR', 27],
  ['GBP', 16],
  ['JPY', 10],
  ['KWD', 2],
];

interface AmountProfile {
  /** Median amount, in minor units. */
  median: number;
  min: number;
  max: number;
  /** Prices end on multiples of this many minor units (JPY: 10 yen, KWD: 5 fils). */
  step: number;
}

const PROFILES: Record<Currency, AmountProfile> = {
  USD: { median: 4_500, min: 100, max: 500_000, step: 1 },
  EUR: { median: 4_000, min: 100, max: 500_000, step: 1 },
  GBP: { median: 3_500, min: 100, max: 400_000, step: 1 },
  CHF: { median: 4_500, min: 100, max: 500_000, step: 5 },
  CAD: { median: 6_000, min: 100, max: 700_000, step: 1 },
  AUD: { median: 6_500, min: 100, max: 700_000, step: 1 },
  SEK: { median: 45_000, min: 1_000, max: 5_000_000, step: 100 },
  JPY: { median: 6_000, min: 100, max: 700_000, step: 10 },
  KWD: { median: 14_000, min: 500, max: 1_500_000, step: 5 },
};

/**
 * A price-like amount in integer minor units: log-normal around the currency's median (most small,
 * a long tail of large ones), often ending in .99 or .00. The float only shapes the random draw;
 * the amount itself is an integer from the start and a bigint from here on.
 */
export function randomAmountMinor(random: SeededRandom, currency: Currency, scale = 1): bigint {
  const profile = PROFILES[currency];
  const drawn = Math.round(profile.median * scale * Math.exp(0.9 * random.normal()));
  let minor = Math.min(profile.max, Math.max(profile.min, drawn));
  minor -= minor % profile.step;
  if (profile.step === 1 && minor >= 1_000) {
    const ending = random.weighted<'99' | '00' | 'any'>([['99', 35], ['00', 20], ['any', 45]]);
    if (ending === '99') minor = minor - (minor % 100) + 99;
    if (ending === '00') minor -= minor % 100;
  }
  return BigInt(Math.max(minor, profile.min));
}

/** Splits `total` minor units into `parts` positive amounts (fewer when total is too small). */
export function splitAmount(random: SeededRandom, total: bigint, parts: number): bigint[] {
  const count = BigInt(parts) > total ? Number(total) : parts;
  const amounts: bigint[] = [];
  let remaining = total;
  for (let left = count; left > 1; left--) {
    const part = random.bigint(1n, remaining - BigInt(left - 1));
    amounts.push(part);
    remaining -= part;
  }
  if (count > 0) amounts.push(remaining);
  return amounts;
}
