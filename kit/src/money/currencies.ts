/** ISO-4217 currencies the platform accepts, with their minor-unit digits. */
export const CURRENCY_MINOR_DIGITS = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  SEK: 2,
  JPY: 0,
  KWD: 3,
} as const;

export type Currency = keyof typeof CURRENCY_MINOR_DIGITS;

export const SUPPORTED_CURRENCIES = Object.keys(CURRENCY_MINOR_DIGITS) as Currency[];

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CURRENCY_MINOR_DIGITS, value);
}

export function minorDigits(currency: Currency): number {
  return CURRENCY_MINOR_DIGITS[currency];
}
