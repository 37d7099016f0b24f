import { AppError, formatMinorUnits, notFound, type Currency } from '@strangler/kit';

/** Stable, public error codes of the payments API. Never reuse a retired code. */
export const paymentErrors = {
  notFound: () => notFound('PAYMENT_NOT_FOUND', 'Payment'),
  invalidTransition: (from: string, to: string) =>
    new AppError('PAYMENT_INVALID_TRANSITION', 409, 'Invalid payment transition', `A payment cannot go from ${from} to ${to}.`, {
      from,
      to,
    }),
  refundExceedsCaptured: (requested: bigint, refundable: bigint, currency: Currency) =>
    new AppError(
      'PAYMENT_REFUND_EXCEEDS_CAPTURED',
      409,
      'Refund exceeds captured amount',
      `A refund of ${formatMinorUnits(requested, currency)} ${currency} exceeds the ${formatMinorUnits(refundable, currency)} ${currency} still refundable.`,
      { refundable: formatMinorUnits(refundable, currency) },
    ),
  idempotencyKeyRequired: () =>
    new AppError('IDEMPOTENCY_KEY_REQUIRED', 400, 'Idempotency key required', 'This request needs an Idempotency-Key header.'),
  idempotencyKeyReused: () =>
    new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      422,
      'Idempotency key reused',
      'This Idempotency-Key was already used for a different request.',
    ),
  /** Only seen if a key row was ever committed without its response: the client should retry. */
  idempotencyInProgress: () =>
    new AppError(
      'IDEMPOTENCY_IN_PROGRESS',
      409,
      'Idempotent request in progress',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
    ),
};
