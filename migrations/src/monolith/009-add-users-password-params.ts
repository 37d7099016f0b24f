import type { NamedMigration } from '../migration-set';

/** The cost parameters of a modern hash ('N=65536,r=8,p=2' for scrypt); null for the legacy scheme. */
export const addUsersPasswordParams: NamedMigration = {
  name: '009-add-users-password-params',
  up: (knex) =>
    knex.schema.alterTable('users', (t) => {
      t.string('password_params', 255).nullable();
    }),
  down: (knex) => knex.raw('alter table ?? drop column ??', ['users', 'password_params']).then(() => undefined),
};
