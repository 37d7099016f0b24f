import type { MigrationSet } from '../migration-set';
import { createPayments } from './001-create-payments';
import { createRefunds } from './002-create-refunds';
import { createIdempotencyKeys } from './003-create-idempotency-keys';

/** The payments service's own database: money in integer minor units, lowercase statuses. */
export const paymentsMigrations: MigrationSet = {
  database: 'payments',
  tableName: 'knex_migrations_payments',
  migrations: [createPayments, createRefunds, createIdempotencyKeys],
};
