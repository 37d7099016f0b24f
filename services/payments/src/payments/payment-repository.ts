import type { Knex } from 'knex';
import { toBigInt, toBigIntColumn } from '@strangler/kit';
import { PAYMENT_STATUSES, SqlPaymentRepository, type PaymentEncoding, type PaymentRepository, type PaymentStatus, type SharedPaymentColumns } from '@strangler/payments-api';

/** Money columns are BIGINT minor units of `currency` (`refunds.amount_minor` too); statuses are
 * stored as the API spells them. */
interface MinorUnitPaymentColumns extends SharedPaymentColumns {
  amount_minor: unknown;
  status: string;
  captured_minor: unknown;
  refunded_minor: unknown;
}

function statusOf(row: MinorUnitPaymentColumns): PaymentStatus {
  const known = PAYMENT_STATUSES.find((candidate) => candidate === row.status);
  if (!known) throw new Error(`payment ${row.id} has unknown status ${row.status}`);
  return known;
}

const minorUnitEncoding: PaymentEncoding<MinorUnitPaymentColumns> = {
  decode: (row) => ({
    amount: toBigInt(row.amount_minor),
    status: statusOf(row),
    capturedAmount: toBigInt(row.captured_minor),
    refundedAmount: toBigInt(row.refunded_minor),
  }),
  encodeAmount: (amount) => ({ amount_minor: toBigIntColumn(amount) }),
  encodeState: (payment) => ({
    status: payment.status,
    captured_minor: toBigIntColumn(payment.capturedAmount),
    refunded_minor: toBigIntColumn(payment.refundedAmount),
  }),
};

/** Payments and their refunds in the service's tables; pass a transaction to take part in one. */
export function paymentRepository(db: Knex): PaymentRepository {
  return new SqlPaymentRepository(db, minorUnitEncoding);
}
