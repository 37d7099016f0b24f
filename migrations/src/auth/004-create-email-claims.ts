import type { NamedMigration } from '../migration-set';
import { createEmailClaimsTable, dropEmailClaimsTable } from '../email-claims-table';

/** Registrations in flight, so one email gets one account across both sides (docs/decisions/0028). */
export const createAuthEmailClaims: NamedMigration = {
  name: '004-create-email-claims',
  up: createEmailClaimsTable,
  down: dropEmailClaimsTable,
};
