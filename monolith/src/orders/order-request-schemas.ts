import { z } from 'zod';
import {
  isCurrency,
  MAX_MAJOR_DIGITS,
  minorDigits,
  parseDecimalAmount,
  SUPPORTED_CURRENCIES,
  type Currency,
} from '@strangler/kit';
import { orderTotal, type OrderItem } from './order';

const PRICE_FORMAT = 'must be a decimal string like "19.99"';
const required = (otherwise: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : otherwise);

const item = z.object({
  sku: z
    .string({ error: required('must be a string') })
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 characters of A-Z, a-z, 0-9, ".", "_" or "-"'),
  quantity: z
    .number({ error: required('must be an integer from 1 to 1000') })
    .int('must be an integer from 1 to 1000')
    .min(1, 'must be an integer from 1 to 1000')
    .max(1000, 'must be an integer from 1 to 1000'),
  unitPrice: z
    .string({ error: required(PRICE_FORMAT) })
    .regex(/^\d+(\.\d+)?$/, PRICE_FORMAT)
    .refine((text) => /[1-9]/.test(text), 'must be greater than zero'),
});

export const placeOrderBody = z
  .object({
    items: z
      .array(item, { error: required('must be an array of items') })
      .min(1, 'must have at least 1 item')
      .max(100, 'must have at most 100 items'),
    currency: z
      .string({ error: 'must be a string' })
      .refine(isCurrency, `must be one of ${SUPPORTED_CURRENCIES.join(', ')}`)
      .default('USD')
      .transform((code) => code as Currency),
  })
  .transform((body, ctx) => {
    const items: OrderItem[] = [];
    body.items.forEach((line, index) => {
      const price = parseDecimalAmount(line.unitPrice, body.currency);
      if (price.ok) items.push({ sku: line.sku, quantity: line.quantity, unitPrice: price.minor });
      else ctx.addIssue({ code: 'custom', path: ['items', index, 'unitPrice'], message: price.reason });
    });
    if (items.length !== body.items.length) return z.NEVER;
    // The total must fit the DECIMAL(15,3) columns and a payment amount, like any single amount.
    if (orderTotal(items) >= 10n ** BigInt(MAX_MAJOR_DIGITS + minorDigits(body.currency))) {
      ctx.addIssue({ code: 'custom', path: ['items'], message: `make an order total of at most ${MAX_MAJOR_DIGITS} digits` });
      return z.NEVER;
    }
    return { currency: body.currency, items };
  });
