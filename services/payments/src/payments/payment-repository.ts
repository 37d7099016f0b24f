import type { Knex } from 'knex';
import { isCurrency, toBigInt, toBigIntColumn, toDate, type Currency, type PagePosition } from '@strangler/kit';
import { PAYMENT_STATUSES, type Payment, type PaymentStatus, type Refund } from './payment';

/** Money columns are BIGINT minor units of `currency`; statuses are stored as the API spells them. */
interface PaymentRow {
  id: string;
  user_id: string;
  order_id: string | null;
  amount_minor: unknown;
  currency: string;
  status: string;
  description: string | null;
  captured_minor: unknown;
  refunded_minor: unknown;
  created_at: unknown;
  updated_at: unknown;
}

function currencyOf(row: PaymentRow): Currency {
  if (!isCurrency(row.currency)) throw new Error(`payment ${row.id} has unsupported currency ${row.currency}`);
  return row.currency;
}

function statusOf(row: PaymentRow): PaymentStatus {
  const known = PAYMENT_STATUSES.find((candidate) => candidate === row.status);
  if (!known) throw new Error(`payment ${row.id} has unknown status ${row.status}`);
  return known;
}

function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    userId: row.user_id,
    orderId: row.order_id,
    amount: toBigInt(row.amount_minor),
    currency: currencyOf(row),
    status: statusOf(row),
    description: row.description,
    capturedAmount: toBigInt(row.captured_minor),
    refundedAmount: toBigInt(row.refunded_minor),
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
      amount_minor: toBigIntColumn(payment.amount),
      currency: payment.currency,
      status: payment.status,
      description: payment.description,
      captured_minor: toBigIntColumn(payment.capturedAmount),
      refunded_minor: toBigIntColumn(payment.refundedAmount),
      created_at: payment.createdAt,
      updated_at: payment.updatedAt,
    });
  }

  async findOwned(userId: string, id: string): Promise<Payment | undefined> {
    const row = await this.db<PaymentRow>('payments').where({ id, user_id: userId }).first();
    return row ? toPayment(row) : undefined;
  }

  /** Reads the payment and locks its row until the transaction ends (MySQL; SQLite has one writer
   * anyway), so concurrent transitions of one payment run one after another, each seeing the last. */
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
    const rows = await query
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(toPayment);
  }

  async updateState(payment: Payment): Promise<void> {
    await this.db('payments').where({ id: payment.id }).update({
      status: payment.status,
      captured_minor: toBigIntColumn(payment.capturedAmount),
      refunded_minor: toBigIntColumn(payment.refundedAmount),
      updated_at: payment.updatedAt,
    });
  }

  async insertRefund(refund: Refund): Promise<void> {
    await this.db('refunds').insert({
      id: refund.id,
      payment_id: refund.paymentId,
      amount_minor: toBigIntColumn(refund.amount),
      created_at: refund.createdAt,
    });
  }
}
