import type { Knex } from 'knex';

// Plain CREATE INDEX on both dialects: no table rebuild on SQLite, so change-capture triggers stay.
export const indexSessionsRevokedAt = async (knex: Knex): Promise<void> => {
  await knex.raw('create index ?? on ?? (??)', ['sessions_revoked_at_index', 'sessions', 'revoked_at']);
};

export const unindexSessionsRevokedAt = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('sessions', (t) => t.dropIndex(['revoked_at'], 'sessions_revoked_at_index'));
};
