import type { Currency } from '@strangler/kit';
import { CURRENCY_MIX, randomAmountMinor, splitAmount } from './random-amounts';
import { DAY_MS, PAYMENT_HISTORY_DAYS, type SeedPlan } from './seed-plan';
import type { SeededRandom } from './seeded-random';

export type SeedPaymentStatus = 'AUTHORIZED' | 'CAPTURED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED';

/** Roughly what a card business sees: most payments captured, a tail of refunds and voids. */
export const PAYMENT_STATUS_MIX: readonly (readonly [SeedPaymentStatus, number])[] = [
  ['CAPTURED', 65],
  ['AUTHORIZED', 10],
  ['VOIDED', 7],
  ['REFUNDED', 10],
  ['PARTIALLY_REFUNDED', 8],
];

export interface SeedRefund {
  id: string;
  paymentId: string;
  amountMinor: bigint;
  createdAt: Date;
}

export interface SeedPayment {
  id: string;
  userId: string;
  orderId: string | null;
  amountMinor: bigint;
  currency: Currency;
  status: SeedPaymentStatus;
  capturedMinor: bigint;
  refundedMinor: bigint;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
  refunds: SeedRefund[];
}

/** The users payments can belong to, by index; a payment never predates its user's sign-up. */
export interface SeedOwners {
  ids: readonly string[];
  createdAtMs: readonly number[];
}

const MINUTE_MS = 60 * 1000;
/** Card authorizations lapse after about a week, so still-AUTHORIZED payments are recent ones. */
const AUTHORIZATION_WINDOW_MS = 7 * DAY_MS;

export interface PaymentDraft {
  userId: string;
  orderId: string | null;
  amountMinor: bigint;
  currency: Currency;
  status: SeedPaymentStatus;
  description: string | null;
  createdAt: Date;
}

export function* generatePayments(plan: SeedPlan, owners: SeedOwners, data: SeededRandom, ids: SeededRandom): Generator<SeedPayment> {
  if (plan.payments > 0 && owners.ids.length === 0) throw new RangeError('payments need at least one user');
  const nowMs = plan.now.getTime();
  for (let n = 0; n < plan.payments; n++) {
    const owner = data.int(0, owners.ids.length - 1);
    const status = data.weighted(PAYMENT_STATUS_MIX);
    const windowMs = status === 'AUTHORIZED' ? AUTHORIZATION_WINDOW_MS : PAYMENT_HISTORY_DAYS * DAY_MS;
    const currency = data.weighted(CURRENCY_MIX);
    yield buildPayment(
      {
        userId: owners.ids[owner] as string,
        orderId: null,
        amountMinor: randomAmountMinor(data, currency),
        currency,
        status,
        description: randomDescription(data),
        createdAt: data.dateBetween(Math.max(owners.createdAtMs[owner] as number, nowMs - windowMs), nowMs - MINUTE_MS),
      },
      nowMs,
      data,
      ids,
    );
  }
}

/** Fills in captured/refunded amounts, refunds and updated_at consistently with the status. */
export function buildPayment(draft: PaymentDraft, nowMs: number, data: SeededRandom, ids: SeededRandom): SeedPayment {
  const id = ids.uuid();
  const createdMs = draft.createdAt.getTime();
  const payment: SeedPayment = { id, ...draft, capturedMinor: 0n, refundedMinor: 0n, updatedAt: draft.createdAt, refunds: [] };
  if (draft.status === 'AUTHORIZED') return payment;
  if (draft.status === 'VOIDED') {
    payment.updatedAt = data.dateBetween(createdMs, Math.min(nowMs, createdMs + 3 * DAY_MS));
    return payment;
  }
  const capturedAt = data.dateBetween(createdMs, Math.min(nowMs, createdMs + 2 * DAY_MS));
  payment.capturedMinor = draft.amountMinor;
  payment.updatedAt = capturedAt;
  if (draft.status === 'CAPTURED') return payment;

  const refunded =
    draft.status === 'REFUNDED' || payment.capturedMinor < 2n
      ? payment.capturedMinor
      : clamp((payment.capturedMinor * BigInt(data.int(10, 90))) / 100n, 1n, payment.capturedMinor - 1n);
  const parts = data.weighted(draft.status === 'REFUNDED' ? [[1, 80], [2, 15], [3, 5]] : [[1, 85], [2, 15]]);
  let refundFromMs = capturedAt.getTime();
  for (const amountMinor of splitAmount(data, refunded, parts)) {
    const createdAt = data.dateBetween(refundFromMs, Math.min(nowMs, refundFromMs + 20 * DAY_MS));
    payment.refunds.push({ id: ids.uuid(), paymentId: id, amountMinor, createdAt });
    refundFromMs = createdAt.getTime();
  }
  payment.refundedMinor = refunded;
  payment.updatedAt = new Date(refundFromMs);
  return payment;
}

function clamp(value: bigint, min: bigint, max: bigint): bigint {
  return value < min ? min : value > max ? max : value;
}

const PLANS = ['Starter', 'Basic', 'Pro', 'Team', 'Business'] as const;
const PRODUCTS = ['Gift card', 'Wallet top-up', 'Event tickets', 'Annual membership', 'Delivery fee', 'Consultation', 'Course enrolment'] as const;

/** A quarter of payments carry no description, as in the legacy data. */
function randomDescription(data: SeededRandom): string | null {
  switch (data.weighted<'none' | 'order' | 'invoice' | 'subscription' | 'product'>([['none', 25], ['order', 30], ['invoice', 15], ['subscription', 15], ['product', 15]])) {
    case 'none':
      return null;
    case 'order':
      return `Order #${data.int(100_000, 999_999)}`;
    case 'invoice':
      return `Invoice INV-${data.int(2023, 2025)}-${String(data.int(1, 9_999)).padStart(4, '0')}`;
    case 'subscription':
      return `${data.pick(PLANS)} plan, ${data.pick(['monthly', 'yearly'])} subscription`;
    case 'product':
      return data.pick(PRODUCTS);
  }
}
