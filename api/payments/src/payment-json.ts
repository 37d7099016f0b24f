import { formatMinorUnits } from '@strangler/kit';
import type { Payment, Refund } from './payment';

/** The public representation: money as decimal strings with exactly the currency's digits. */
export const paymentJson = (payment: Payment) => ({
  id: payment.id,
  amount: formatMinorUnits(payment.amount, payment.currency),
  currency: payment.currency,
  status: payment.status,
  description: payment.description,
  orderId: payment.orderId,
  capturedAmount: formatMinorUnits(payment.capturedAmount, payment.currency),
  refundedAmount: formatMinorUnits(payment.refundedAmount, payment.currency),
  createdAt: payment.createdAt.toISOString(),
  updatedAt: payment.updatedAt.toISOString(),
});

export type PaymentJson = ReturnType<typeof paymentJson>;

export const refundJson = (refund: Refund) => ({
  id: refund.id,
  paymentId: refund.paymentId,
  amount: formatMinorUnits(refund.amount, refund.currency),
  currency: refund.currency,
  createdAt: refund.createdAt.toISOString(),
});
