import type { Currency } from '@strangler/kit';
import { paymentErrors } from './payment-errors';

export const PAYMENT_STATUSES = ['authorized', 'captured', 'partially_refunded', 'refunded', 'voided'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Money is always integer minor units of `currency`. */
export interface Payment {
  id: string;
  userId: string;
  orderId: string | null;
  amount: bigint;
  currency: Currency;
  status: PaymentStatus;
  description: string | null;
  capturedAmount: bigint;
  refundedAmount: bigint;
  createdAt: Date;
  updatedAt: Date;
}

export interface Refund {
  id: string;
  paymentId: string;
  amount: bigint;
  currency: Currency;
  createdAt: Date;
}

export interface NewPayment {
  amount: bigint;
  currency: Currency;
  description: string | null;
  orderId: string | null;
}

export function authorize(id: string, userId: string, input: NewPayment, now: Date): Payment {
  return {
    id,
    userId,
    ...input,
    status: 'authorized',
    capturedAmount: 0n,
    refundedAmount: 0n,
    createdAt: now,
    updatedAt: now,
  };
}

export function capture(payment: Payment, now: Date): Payment {
  if (payment.status !== 'authorized') throw paymentErrors.invalidTransition(payment.status, 'captured');
  return { ...payment, status: 'captured', capturedAmount: payment.amount, updatedAt: now };
}

export function voidAuthorization(payment: Payment, now: Date): Payment {
  if (payment.status !== 'authorized') throw paymentErrors.invalidTransition(payment.status, 'voided');
  return { ...payment, status: 'voided', updatedAt: now };
}

export function refund(payment: Payment, refundId: string, amount: bigint, now: Date): { payment: Payment; refund: Refund } {
  if (payment.status !== 'captured' && payment.status !== 'partially_refunded') {
    throw paymentErrors.invalidTransition(payment.status, 'refunded');
  }
  const refundedAmount = payment.refundedAmount + amount;
  if (refundedAmount > payment.capturedAmount) {
    throw paymentErrors.refundExceedsCaptured(amount, payment.capturedAmount - payment.refundedAmount, payment.currency);
  }
  return {
    payment: {
      ...payment,
      status: refundedAmount === payment.capturedAmount ? 'refunded' : 'partially_refunded',
      refundedAmount,
      updatedAt: now,
    },
    refund: { id: refundId, paymentId: payment.id, amount, currency: payment.currency, createdAt: now },
  };
}
