import type { PagePosition } from '@strangler/kit';
import type { Payment, Refund } from './payment';

/**
 * What the payments API module needs from a side's storage. Each side implements it on its own
 * schema (see knex-payments-storage.ts); the use cases see nothing else of the database.
 */

/** Payments and their refunds, as one side stores them. */
export interface PaymentRepository {
  insert(payment: Payment): Promise<void>;
  findOwned(userId: string, id: string): Promise<Payment | undefined>;
  /** findOwned, and the payment stays locked until the transaction ends, so concurrent changes to
   * one payment run one after another, each seeing the one before. */
  lockOwned(userId: string, id: string): Promise<Payment | undefined>;
  /** Newest first, by (createdAt, id) descending, starting after `after`. */
  listOwned(userId: string, limit: number, after?: PagePosition): Promise<Payment[]>;
  /** Saves status, captured and refunded amounts and updatedAt. */
  updateState(payment: Payment): Promise<void>;
  insertRefund(refund: Refund): Promise<void>;
}

export interface IdempotencyRecord {
  requestHash: string;
  /** Null while the transaction that claimed the key has not finished (never visible committed). */
  response: { status: number; body: string } | null;
  createdAt: Date;
}

/** Idempotency-Key rows, one per (user, key). */
export interface IdempotencyRepository {
  find(userId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Inserts the key before the work it guards, inside the same transaction. A concurrent request
   * with the same key then blocks on this row (MySQL) or on the single writer (SQLite) and fails
   * with a unique violation (`isUniqueViolation`) once this transaction commits. Throws that violation.
   */
  claim(userId: string, key: string, requestHash: string, now: Date): Promise<void>;
  recordResponse(userId: string, key: string, status: number, body: string): Promise<void>;
}

/** Both stores, taking part in one transaction. */
export interface PaymentsTransaction {
  payments: PaymentRepository;
  idempotency: IdempotencyRepository;
}

export interface PaymentsStorage {
  /** Outside a transaction, only reads: a write always goes through `transaction`, so a payment
   * and the key that guards it commit together. */
  readonly payments: Pick<PaymentRepository, 'findOwned' | 'listOwned'>;
  readonly idempotency: Pick<IdempotencyRepository, 'find'>;
  /**
   * Runs `work` in one database transaction: committed when it resolves, rolled back when it throws,
   * and rolled back (503 WRITE_DEADLINE_PASSED) when the edge's write deadline passed before the
   * commit — kit's `writeTransaction` (decision 0038).
   * The error comes out as the driver raised it, so `isDeadlock` and `isUniqueViolation` still
   * recognise it.
   */
  transaction<T>(work: (tx: PaymentsTransaction) => Promise<T>): Promise<T>;
}
