import type { MigrationSet } from '../migration-set';
import { createAuthUsers } from './001-create-users';
import { createAuthCredentials } from './002-create-credentials';
import { createAuthSessions } from './003-create-sessions';
import { createAuthEmailClaims } from './004-create-email-claims';
import { indexAuthSessionsRevokedAt } from './005-index-sessions-revoked-at';

/** The auth service's own database: users, their password credentials, their sessions, and registrations in flight. */
export const authMigrations: MigrationSet = {
  database: 'auth',
  tableName: 'knex_migrations_auth',
  migrations: [createAuthUsers, createAuthCredentials, createAuthSessions, createAuthEmailClaims, indexAuthSessionsRevokedAt],
};
