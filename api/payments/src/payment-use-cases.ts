import { randomUUID } from 'node:crypto';
import { encodeCursor, parseDecimalAmount, validationError, type Clock, type PagePosition } from '@strangler/kit';
import { authorize, capture, refund, voidAuthorization, type NewPayment, type Payment } from './payment';
import { paymentErrors } from './payment-errors';
import { paymentJson, refundJson, type PaymentJson } from './payment-json';
import type { PaymentRepository, PaymentsStorage } from './payments-storage';
import { respondIdempotently, type IdempotencyScope, type RecordedResponse } from './respond-idempotently';

export interface PaymentUseCaseDeps {
  storage: PaymentsStorage;
  clock: Clock;
}

export interface PaymentPage {
  payments: PaymentJson[];
  nextCursor: string | null;
}

/**
 * Writes answer with a RecordedResponse (status and JSON text) because the response is stored with
 * the Idempotency-Key in the write's own transaction, and a replay must return the very same bytes.
 */
export function createPaymentUseCases({ storage, clock }: PaymentUseCaseDeps) {
  /** Locks the payment, applies `change`, saves it: concurrent changes to one payment serialise. */
  function changePayment(
    userId: string,
    paymentId: string,
    idempotency: IdempotencyScope | undefined,
    change: (payments: PaymentRepository, payment: Payment, now: Date) => Promise<{ status: number; body: unknown }>,
  ): Promise<RecordedResponse> {
    return respondIdempotently(storage, clock, idempotency, async (payments) => {
      const payment = await payments.lockOwned(userId, paymentId);
      if (!payment) throw paymentErrors.notFound();
      return change(payments, payment, clock.now());
    });
  }

  return {
    create(userId: string, input: NewPayment, idempotency: IdempotencyScope): Promise<RecordedResponse> {
      return respondIdempotently(storage, clock, idempotency, async (payments) => {
        const payment = authorize(randomUUID(), userId, input, clock.now());
        await payments.insert(payment);
        return { status: 201, body: { payment: paymentJson(payment) } };
      });
    },

    capture(userId: string, paymentId: string, idempotency?: IdempotencyScope): Promise<RecordedResponse> {
      return changePayment(userId, paymentId, idempotency, async (payments, payment, now) => {
        const captured = capture(payment, now);
        await payments.updateState(captured);
        return { status: 200, body: { payment: paymentJson(captured) } };
      });
    },

    void(userId: string, paymentId: string, idempotency?: IdempotencyScope): Promise<RecordedResponse> {
      return changePayment(userId, paymentId, idempotency, async (payments, payment, now) => {
        const voided = voidAuthorization(payment, now);
        await payments.updateState(voided);
        return { status: 200, body: { payment: paymentJson(voided) } };
      });
    },

    refund(userId: string, paymentId: string, amountText: string, idempotency?: IdempotencyScope): Promise<RecordedResponse> {
      return changePayment(userId, paymentId, idempotency, async (payments, payment, now) => {
        const amount = parseDecimalAmount(amountText, payment.currency);
        if (!amount.ok) throw validationError([{ field: 'amount', message: amount.reason }]);
        const refunded = refund(payment, randomUUID(), amount.minor, now);
        await payments.insertRefund(refunded.refund);
        await payments.updateState(refunded.payment);
        return { status: 201, body: { refund: refundJson(refunded.refund), payment: paymentJson(refunded.payment) } };
      });
    },

    async get(userId: string, paymentId: string): Promise<PaymentJson> {
      const payment = await storage.payments.findOwned(userId, paymentId);
      if (!payment) throw paymentErrors.notFound();
      return paymentJson(payment);
    },

    async list(userId: string, limit: number, after?: PagePosition): Promise<PaymentPage> {
      const found = await storage.payments.listOwned(userId, limit + 1, after);
      const page = found.slice(0, limit);
      const last = page[page.length - 1];
      return {
        payments: page.map(paymentJson),
        nextCursor: found.length > limit && last ? encodeCursor(last) : null,
      };
    },
  };
}

export type PaymentUseCases = ReturnType<typeof createPaymentUseCases>;
