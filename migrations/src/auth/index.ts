import type { MigrationSet } from '../migration-set';
import { createAuthUsers } from './001-create-users';
import { createAuthCredentials } from './002-create-credentials';
import { createAuthSessions } from './003-create-sessions';

/** The auth service's own database: users, their password credentials and their sessions. */
export const authMigrations: MigrationSet = {
  database: 'auth',
  tableName: 'knex_migrations_auth',
  migrations: [createAuthUsers, createAuthCredentials, createAuthSessions],
};
