import type { Knex } from 'knex';
import { decimalColumnToMinor, isCurrency, minorToDecimalColumn, toDate, type Currency, type PagePosition } from '@strangler/kit';
import { PAYMENT_STATUSES, type Payment, type PaymentStatus, type Refund } from './payment';

interface PaymentRow {
  id: string;
  user_id: string;
  order_id: string | null;
  amount: unknown;
  currency: string;
  status: string;
  description: string | null;
  captured_amount: unknown;
  refunded_amount: unknown;
  created_at: unknown;
  updated_at: unknown;
}

function currencyOf(row: { currency: string }): Currency {
  if (!isCurrency(row.currency)) throw new Error(`payment has unsupported currency ${row.currency}`);
  return row.currency;
}

/** The legacy schema stores statuses in uppercase; the domain speaks the API's lowercase. */
function statusOf(row: PaymentRow): PaymentStatus {
  const status = row.status.toLowerCase();
  const known = PAYMENT_STATUSES.find((candidate) => candidate === status);
  if (!known) throw new Error(`payment ${row.id} has unknown status ${row.status}`);
  return known;
}

function toPayment(row: PaymentRow): Payment {
  const currency = currencyOf(row);
  return {
    id: row.id,
    userId: row.user_id,
    orderId: row.order_id,
    amount: decimalColumnToMinor(row.amount, currency),
    currency,
    status: statusOf(row),
    description: row.description,
    capturedAmount: decimalColumnToMinor(row.captured_amount, currency),
    refundedAmount: decimalColumnToMinor(row.refunded_amount, currency),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** Payments and their refunds. Construct it with a transaction to take part in one. */
export class PaymentRepository {
  constructor(private readonly db: Knex) {}

  async insert(payment: Payment): Promise<void> {
    await this.db('payments').insert({
      id: payment.id,
      user_id: payment.userId,
      order_id: payment.orderId,
      amount: minorToDecimalColumn(payment.amount, payment.currency),
      currency: payment.currency,
      status: payment.status.toUpperCase(),
      description: payment.description,
      captured_amount: minorToDecimalColumn(payment.capturedAmount, payment.currency),
      refunded_amount: minorToDecimalColumn(payment.refundedAmount, payment.currency),
      created_at: payment.createdAt,
      updated_at: payment.updatedAt,
    });
  }

  async findOwned(userId: string, id: string): Promise<Payment | undefined> {
    const row = await this.db<PaymentRow>('payments').where({ id, user_id: userId }).first();
    return row ? toPayment(row) : undefined;
  }

  /** Reads the payment and locks its row until the transaction ends (MySQL; SQLite serialises
   * writers anyway), so concurrent transitions on one payment run one after another. */
  async lockOwned(userId: string, id: string): Promise<Payment | undefined> {
    const row = await this.db<PaymentRow>('payments').where({ id, user_id: userId }).forUpdate().first();
    return row ? toPayment(row) : undefined;
  }

  /** Newest first, by (created_at, id) descending, starting after `after`. */
  async listOwned(userId: string, limit: number, after?: PagePosition): Promise<Payment[]> {
    const query = this.db<PaymentRow>('payments').where({ user_id: userId });
    if (after) {
      query.andWhere((older) =>
        older
          .where('created_at', '<', after.createdAt)
          .orWhere((sameInstant) => sameInstant.where('created_at', '=', after.createdAt).andWhere('id', '<', after.id)),
      );
    }
    const rows = await query.orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]).limit(limit);
    return rows.map(toPayment);
  }

  async updateState(payment: Payment): Promise<void> {
    await this.db('payments')
      .where({ id: payment.id })
      .update({
        status: payment.status.toUpperCase(),
        captured_amount: minorToDecimalColumn(payment.capturedAmount, payment.currency),
        refunded_amount: minorToDecimalColumn(payment.refundedAmount, payment.currency),
        updated_at: payment.updatedAt,
      });
  }

  async insertRefund(refund: Refund): Promise<void> {
    await this.db('refunds').insert({
      id: refund.id,
      payment_id: refund.paymentId,
      amount: minorToDecimalColumn(refund.amount, refund.currency),
      created_at: refund.createdAt,
    });
  }
}
