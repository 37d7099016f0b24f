import type { Knex } from 'knex';

/**
 * `email_claims`, the same on the monolith's and the auth service's databases: one row per email
 * whose registration is in flight on this side ('local') or was granted to a peer ('peer'), until
 * `expires_at`. Engine-free bookkeeping: no mapping syncs it.
 */
export const createEmailClaimsTable = (knex: Knex): Promise<void> =>
  knex.schema.createTable('email_claims', (t) => {
    t.string('email', 254).primary();
    t.string('claim_id', 36).notNullable();
    t.string('holder', 8).notNullable();
    t.datetime('expires_at', { precision: 3 }).notNullable();
  });

export const dropEmailClaimsTable = (knex: Knex): Promise<void> => knex.schema.dropTable('email_claims');
