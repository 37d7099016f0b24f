import type { Knex } from 'knex';
import { decimalColumnToMinor, minorToDecimalColumn } from '@strangler/kit';
import { PAYMENT_STATUSES, SqlPaymentRepository, type PaymentEncoding, type PaymentRepository, type PaymentStatus, type SharedPaymentColumns } from '@strangler/payments-api';

/** The legacy schema's own columns: money as DECIMAL in major units (`refunds.amount` too). */
interface LegacyPaymentColumns extends SharedPaymentColumns {
  amount: unknown;
  status: string;
  captured_amount: unknown;
  refunded_amount: unknown;
}

/** The legacy schema stores statuses in uppercase; the domain speaks the API's lowercase. */
function statusOf(row: LegacyPaymentColumns): PaymentStatus {
  const status = row.status.toLowerCase();
  const known = PAYMENT_STATUSES.find((candidate) => candidate === status);
  if (!known) throw new Error(`payment ${row.id} has unknown status ${row.status}`);
  return known;
}

const legacyEncoding: PaymentEncoding<LegacyPaymentColumns> = {
  decode: (row, currency) => ({
    amount: decimalColumnToMinor(row.amount, currency),
    status: statusOf(row),
    capturedAmount: decimalColumnToMinor(row.captured_amount, currency),
    refundedAmount: decimalColumnToMinor(row.refunded_amount, currency),
  }),
  encodeAmount: (amount, currency) => ({ amount: minorToDecimalColumn(amount, currency) }),
  encodeState: (payment) => ({
    status: payment.status.toUpperCase(),
    captured_amount: minorToDecimalColumn(payment.capturedAmount, payment.currency),
    refunded_amount: minorToDecimalColumn(payment.refundedAmount, payment.currency),
  }),
};

/** Payments and their refunds in the monolith's tables; pass a transaction to take part in one. */
export function paymentRepository(db: Knex): PaymentRepository {
  return new SqlPaymentRepository(db, legacyEncoding);
}
