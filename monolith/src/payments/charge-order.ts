import { AppError, formatMinorUnits } from '@strangler/kit';
import { requestFingerprints, type PaymentJson, type PaymentUseCases } from '@strangler/payments-api';
import type { ChargedPayment, OrderCharge, PaymentsPort } from './payments-port';

function paymentIn(response: { body: string }): PaymentJson {
  return (JSON.parse(response.body) as { payment: PaymentJson }).payment;
}

/**
 * The in-process PaymentsPort. It makes the very calls a remote client of the payments API would:
 * create with Idempotency-Key `<key>`, then capture with `<key>:capture`, fingerprinted like the HTTP
 * requests. A retried checkout replays both (never a second charge), and one interrupted between the
 * two finishes the capture.
 */
export function inProcessPaymentsPort(payments: PaymentUseCases): PaymentsPort {
  return {
    async chargeOrder(charge: OrderCharge): Promise<ChargedPayment> {
      const body = {
        amount: formatMinorUnits(charge.amountMinor, charge.currency),
        currency: charge.currency,
        description: charge.description,
        orderId: charge.orderId,
      };
      const created = paymentIn(
        await payments.create(
          charge.userId,
          { amount: charge.amountMinor, currency: charge.currency, description: charge.description, orderId: charge.orderId },
          { userId: charge.userId, key: charge.idempotencyKey, requestHash: requestFingerprints.createPayment(body) },
        ),
      );
      let captured: PaymentJson;
      try {
        captured = paymentIn(
          await payments.capture(charge.userId, created.id, {
            userId: charge.userId,
            key: `${charge.idempotencyKey}:capture`,
            requestHash: requestFingerprints.capture(created.id, {}),
          }),
        );
      } catch (error) {
        // Captured some other way (say, through the API) since: that is the charge we wanted.
        if (!(error instanceof AppError && error.code === 'PAYMENT_INVALID_TRANSITION')) throw error;
        const current = await payments.get(charge.userId, created.id);
        if (current.capturedAmount !== current.amount) throw error;
        captured = current;
      }
      return { id: captured.id, status: captured.status, amount: captured.amount, currency: captured.currency };
    },
  };
}
