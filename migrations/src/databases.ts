import type { MigrationSet } from './migration-set';
import { monolithMigrations } from './monolith';
import { authMigrations } from './auth';
import { paymentsMigrations } from './payments';

/** Every database the project owns, with the variable naming it and its embedded default. */
export interface DatabaseEntry {
  set: MigrationSet;
  urlVariable: string;
  defaultUrl: string;
}

export const DATABASES: DatabaseEntry[] = [
  { set: monolithMigrations, urlVariable: 'MONOLITH_DATABASE_URL', defaultUrl: '.data/monolith.sqlite' },
  { set: authMigrations, urlVariable: 'AUTH_DATABASE_URL', defaultUrl: '.data/auth.sqlite' },
  { set: paymentsMigrations, urlVariable: 'PAYMENTS_DATABASE_URL', defaultUrl: '.data/payments.sqlite' },
];
