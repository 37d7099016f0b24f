import type { NamedMigration } from '../migration-set';
import { indexSessionsRevokedAt, unindexSessionsRevokedAt } from '../sessions-revoked-at-index';

/** The revocation feed peers poll reads sessions by revoked_at (docs/decisions/0027). */
export const indexSessionsRevokedAtMigration: NamedMigration = {
  name: '013-index-sessions-revoked-at',
  up: indexSessionsRevokedAt,
  down: unindexSessionsRevokedAt,
};
