import type { MigrationSet } from '../migration-set';
import { createUsers } from './001-create-users';
import { createSessions } from './002-create-sessions';
import { createPayments } from './003-create-payments';
import { createRefunds } from './004-create-refunds';
import { createIdempotencyKeys } from './005-create-idempotency-keys';
import { createOrders } from './006-create-orders';
import { createOrderItems } from './007-create-order-items';
import { addUsersPasswordScheme } from './008-add-users-password-scheme';
import { addUsersPasswordParams } from './009-add-users-password-params';
import { widenUsersPasswordHash } from './010-widen-users-password-hash';
import { widenUsersPasswordSalt } from './011-widen-users-password-salt';
import { createEmailClaims } from './012-create-email-claims';
import { indexSessionsRevokedAtMigration } from './013-index-sessions-revoked-at';

export const monolithMigrations: MigrationSet = {
  database: 'monolith',
  tableName: 'knex_migrations_monolith',
  migrations: [
    createUsers,
    createSessions,
    createPayments,
    createRefunds,
    createIdempotencyKeys,
    createOrders,
    createOrderItems,
    // Lets the monolith verify passwords the auth service re-hashed, after a rollback.
    addUsersPasswordScheme,
    addUsersPasswordParams,
    widenUsersPasswordHash,
    widenUsersPasswordSalt,
    // One email, one account across both sides while auth is in transition (decision 0028).
    createEmailClaims,
    // The revocation feed of the session validity caches (decision 0027).
    indexSessionsRevokedAtMigration,
  ],
};
