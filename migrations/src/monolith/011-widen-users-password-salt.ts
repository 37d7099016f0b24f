import type { NamedMigration } from '../migration-set';

/** Room for any salt the auth service stores (VARCHAR(64)). MySQL only, as in 010. */
export const widenUsersPasswordSalt: NamedMigration = {
  name: '011-widen-users-password-salt',
  up: async (knex) => {
    if (knex.client.config.client === 'mysql2') await knex.raw('alter table `users` modify `password_salt` varchar(64) not null');
  },
  down: async (knex) => {
    if (knex.client.config.client === 'mysql2') await knex.raw('alter table `users` modify `password_salt` varchar(32) not null');
  },
};
