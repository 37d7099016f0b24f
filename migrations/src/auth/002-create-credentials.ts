import type { NamedMigration } from '../migration-set';

export const createAuthCredentials: NamedMigration = {
  name: '002-create-credentials',
  up: (knex) =>
    knex.schema.createTable('credentials', (t) => {
      t.uuid('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
      // 'scrypt', or 'legacy-sha256' for hashes copied from the monolith until their owner logs in.
      t.string('scheme', 32).notNullable();
      t.string('hash', 255).notNullable();
      t.string('salt', 64).notNullable();
      // The cost the hash was made with ('N=65536,r=8,p=2'), so the policy can be raised later and
      // old hashes still verify; null for schemes without parameters.
      t.string('params', 255).nullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
    }),
  down: (knex) => knex.schema.dropTable('credentials'),
};
