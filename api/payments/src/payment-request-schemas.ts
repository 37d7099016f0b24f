import { z } from 'zod';
import { isCurrency, parseDecimalAmount, SUPPORTED_CURRENCIES, type Currency } from '@strangler/kit';

const AMOUNT_FORMAT = 'must be a decimal string like "19.99"';

/** A positive decimal string; its digits are checked against the currency once that is known. */
export const amountText = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : AMOUNT_FORMAT) })
  .regex(/^\d+(\.\d+)?$/, AMOUNT_FORMAT)
  .refine((text) => /[1-9]/.test(text), 'must be greater than zero');

export const currencyCode = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .refine(isCurrency, `must be one of ${SUPPORTED_CURRENCIES.join(', ')}`)
  .transform((code) => code as Currency);

/** Minor units of `text` in `currency`, or a zod issue on `path`. */
export function minorUnitsOrIssue(
  text: string,
  currency: Currency,
  ctx: z.RefinementCtx,
  path: PropertyKey[],
): bigint {
  const parsed = parseDecimalAmount(text, currency);
  if (parsed.ok) return parsed.minor;
  ctx.addIssue({ code: 'custom', path, message: parsed.reason });
  return z.NEVER;
}

const optionalText = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((text) => text ?? null);

export const createPaymentBody = z
  .object({
    amount: amountText,
    currency: currencyCode,
    description: optionalText(500),
    orderId: optionalText(64).refine((id) => id !== '', 'must not be empty'),
  })
  .transform((body, ctx) => ({
    amount: minorUnitsOrIssue(body.amount, body.currency, ctx, ['amount']),
    currency: body.currency,
    description: body.description,
    orderId: body.orderId,
  }));

/** The refund amount's digits depend on the payment's currency, checked by the use case. */
export const refundBody = z.object({ amount: amountText });

/** 1..255 printable ASCII characters. */
export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x20-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters');
