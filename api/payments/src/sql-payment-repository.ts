import type { Knex } from 'knex';
import { isCurrency, toDate, type Currency, type PagePosition } from '@strangler/kit';
import type { Payment, Refund } from './payment';
import type { PaymentRepository } from './payments-storage';

/** The columns both schemas give `payments`, with the same names and encoding: ids, timestamps and
 * text carry over between the sides unchanged. */
export interface SharedPaymentColumns {
  id: string;
  user_id: string;
  order_id: string | null;
  currency: string;
  description: string | null;
  created_at: unknown;
  updated_at: unknown;
}

/** What each side stores its own way: money (the amount of a payment or a refund, the captured and
 * refunded amounts) and the status. */
export interface PaymentEncoding<Row extends SharedPaymentColumns> {
  /** Reads them from a row as either dialect returns it; throws on a value it cannot read exactly. */
  decode(row: Row, currency: Currency): Pick<Payment, 'amount' | 'status' | 'capturedAmount' | 'refundedAmount'>;
  /** The amount column of a `payments` or `refunds` row. */
  encodeAmount(amount: bigint, currency: Currency): Record<string, unknown>;
  /** What a transition changes: status, captured and refunded amounts. */
  encodeState(payment: Payment): Record<string, unknown>;
}

function currencyOf(row: SharedPaymentColumns): Currency {
  if (!isCurrency(row.currency)) throw new Error(`payment ${row.id} has unsupported currency ${row.currency}`);
  return row.currency;
}

/**
 * The statements behind PaymentRepository, written once so that what the API promises (a caller
 * sees only their own payments, transitions of one payment serialise on its row lock, lists page
 * newest first) cannot differ between the sides. Construct it with a transaction to take part in one.
 */
export class SqlPaymentRepository<Row extends SharedPaymentColumns> implements PaymentRepository {
  constructor(
    private readonly db: Knex,
    private readonly encoding: PaymentEncoding<Row>,
  ) {}

  async insert(payment: Payment): Promise<void> {
    await this.db('payments').insert({
      id: payment.id,
      user_id: payment.userId,
      order_id: payment.orderId,
      ...this.encoding.encodeAmount(payment.amount, payment.currency),
      currency: payment.currency,
      description: payment.description,
      ...this.encoding.encodeState(payment),
      created_at: payment.createdAt,
      updated_at: payment.updatedAt,
    });
  }

  async findOwned(userId: string, id: string): Promise<Payment | undefined> {
    return this.paymentIn(await this.db('payments').where({ id, user_id: userId }).first());
  }

  /** Reads the payment and locks its row until the transaction ends (MySQL; SQLite has one writer
   * anyway), so concurrent transitions of one payment run one after another, each seeing the last. */
  async lockOwned(userId: string, id: string): Promise<Payment | undefined> {
    return this.paymentIn(await this.db('payments').where({ id, user_id: userId }).forUpdate().first());
  }

  async listOwned(userId: string, limit: number, after?: PagePosition): Promise<Payment[]> {
    const query = this.db('payments').where({ user_id: userId });
    if (after) {
      query.andWhere((older) => {
        older
          .where('created_at', '<', after.createdAt)
          .orWhere((sameInstant) => {
            sameInstant.where('created_at', '=', after.createdAt).andWhere('id', '<', after.id);
          });
      });
    }
    const rows: Row[] = await query
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map((row) => this.toPayment(row));
  }

  async updateState(payment: Payment): Promise<void> {
    await this.db('payments')
      .where({ id: payment.id })
      .update({ ...this.encoding.encodeState(payment), updated_at: payment.updatedAt });
  }

  async insertRefund(refund: Refund): Promise<void> {
    await this.db('refunds').insert({
      id: refund.id,
      payment_id: refund.paymentId,
      ...this.encoding.encodeAmount(refund.amount, refund.currency),
      created_at: refund.createdAt,
    });
  }

  private paymentIn(row: Row | undefined): Payment | undefined {
    return row ? this.toPayment(row) : undefined;
  }

  private toPayment(row: Row): Payment {
    const currency = currencyOf(row);
    return {
      id: row.id,
      userId: row.user_id,
      orderId: row.order_id,
      currency,
      ...this.encoding.decode(row, currency),
      description: row.description,
      createdAt: toDate(row.created_at),
      updatedAt: toDate(row.updated_at),
    };
  }
}
