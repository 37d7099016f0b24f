import type { Knex } from 'knex';
import { writeTransaction } from '@strangler/kit';
import type { IdempotencyRepository, PaymentRepository, PaymentsStorage } from './payments-storage';

/** A side's repositories, constructed on the database or on a transaction of it. */
export interface KnexRepositories {
  payments(db: Knex): PaymentRepository;
  idempotency(db: Knex): IdempotencyRepository;
}

/** PaymentsStorage on a side's knex database, with that side's repositories; a write past the edge's
 * deadline rolls back (kit's writeTransaction, decision 0038). */
export function knexPaymentsStorage(knex: Knex, repositories: KnexRepositories): PaymentsStorage {
  return {
    payments: repositories.payments(knex),
    idempotency: repositories.idempotency(knex),
    transaction: (work) =>
      writeTransaction(knex, (trx) => work({ payments: repositories.payments(trx), idempotency: repositories.idempotency(trx) })),
  };
}
