import type { Knex } from 'knex';
import { authRowsToMonolithUser, monolithUserToAuthRows, type MonolithUserRow } from '../mappings/auth-users';
import { canon, defineMapping, deleteWins, quarantineConflict, RowRefusedError, tableSide, upsertRows, type CanonicalRow, type Row } from '../index';

/** The auth service's user as the engine reads it: the users row left-joined with its credential. */
interface ServiceUserRow extends Row {
  id: string;
  email: string;
  name: string;
  created_at: unknown;
  updated_at: unknown;
  credential_scheme: string | null;
  credential_hash: string | null;
  credential_salt: string | null;
  credential_params: string | null;
  credential_updated_at: unknown;
}

type MonolithUser = MonolithUserRow & Row;

/**
 * MySQL's ON DUPLICATE KEY UPDATE also fires on the unique email index and would silently rewrite
 * another person's row: an email held by another id on the target is a conflict for a person,
 * refused by name (the sync sets the user aside; the other users flow on).
 */
async function refuseEmailConflicts(trx: Knex.Transaction, rows: readonly Row[]): Promise<void> {
  const query = trx('users')
    .whereIn('email', rows.map((row) => String(row.email)))
    .whereNotIn('id', rows.map((row) => String(row.id)))
    .select('id', 'email');
  if (trx.client.config.client === 'mysql2') query.forUpdate();
  const taken = (await query) as Array<{ id: string; email: string }>;
  if (taken.length === 0) return;
  const idByEmail = new Map(rows.map((row) => [String(row.email), String(row.id)]));
  const which = taken.map((t) => `${t.email} is already user ${t.id} there, not ${idByEmail.get(t.email) ?? '?'}`).join('; ');
  throw new RowRefusedError(`${which} (one email registered on each side: the two accounts must be merged or one renamed)`);
}

const USER_COLUMNS = ['id', 'email', 'name', 'created_at', 'updated_at'];
const CREDENTIAL_COLUMNS = ['user_id', 'scheme', 'hash', 'salt', 'params', 'updated_at'];
const MONOLITH_USER_COLUMNS = ['id', 'email', 'name', 'password_hash', 'password_salt', 'password_scheme', 'password_params', 'created_at', 'updated_at'];

function canonicalServiceUser(row: ServiceUserRow): CanonicalRow {
  const profileUpdated = canon.time(row.updated_at);
  const credentialUpdated = canon.nullableTime(row.credential_updated_at) ?? profileUpdated;
  return {
    id: canon.text(row.id),
    email: canon.text(row.email),
    name: canon.text(row.name),
    created_at: canon.time(row.created_at),
    // The monolith has one updated_at for both; it moves when either the profile or the password does.
    updated_at: Math.max(profileUpdated, credentialUpdated),
    scheme: canon.nullableText(row.credential_scheme),
    hash: canon.nullableText(row.credential_hash),
    salt: canon.nullableText(row.credential_salt),
    params: canon.nullableText(row.credential_params),
  };
}

/**
 * The auth service stores emails trimmed and lower-cased (its unique index relies on it), and both
 * sides' APIs normalise what they are given: an email in any other form is not carried, it is
 * refused by name (a silent lower-casing would make the two sides differ without verify seeing it).
 */
function requireNormalisedEmail(id: unknown, email: unknown): void {
  if (typeof email !== 'string' || email !== email.trim().toLowerCase()) {
    throw new RangeError(`user ${String(id)} has email ${JSON.stringify(email)}, not trimmed and lower-case as the auth service stores emails: correct it on the side that holds it`);
  }
}

/**
 * users (monolith: one table with the legacy hash) ⇄ users + credentials (auth service): a side of
 * two tables, so a TypeScript mapping (a declarative file maps one table per side).
 */
export const usersMapping = defineMapping<MonolithUser, ServiceUserRow>({
  name: 'users',
  key: ['id'],
  monolith: tableSide({ table: 'users', key: ['id'], columns: MONOLITH_USER_COLUMNS, beforeUpsert: refuseEmailConflicts }),
  service: tableSide({
    table: 'users',
    key: ['id'],
    columns: USER_COLUMNS,
    joins: [
      {
        table: 'credentials',
        on: ['credentials.user_id', 'users.id'],
        select: {
          credential_scheme: 'credentials.scheme',
          credential_hash: 'credentials.hash',
          credential_salt: 'credentials.salt',
          credential_params: 'credentials.params',
          credential_updated_at: 'credentials.updated_at',
        },
      },
    ],
    beforeUpsert: refuseEmailConflicts,
    afterUpsert: async (trx, rows, mode) => {
      const credentials = rows
        .filter((row) => row.credential_scheme !== null && row.credential_scheme !== undefined)
        .map((row) => ({
          user_id: row.id,
          scheme: row.credential_scheme,
          hash: row.credential_hash,
          salt: row.credential_salt,
          params: row.credential_params,
          updated_at: row.credential_updated_at,
        }));
      await upsertRows(trx, 'credentials', ['user_id'], CREDENTIAL_COLUMNS, credentials, mode);
    },
    alsoCaptured: [{ table: 'credentials', keyColumns: ['user_id'] }],
    alsoRequired: [{ table: 'credentials', columns: CREDENTIAL_COLUMNS }],
  }),
  toService(row) {
    requireNormalisedEmail(row.id, row.email);
    const { user, credential } = monolithUserToAuthRows(row);
    return {
      ...user,
      credential_scheme: credential.scheme,
      credential_hash: credential.hash,
      credential_salt: credential.salt,
      credential_params: credential.params,
      credential_updated_at: credential.updated_at,
    };
  },
  toMonolith(row) {
    requireNormalisedEmail(row.id, row.email);
    if (row.credential_scheme === null || row.credential_hash === null || row.credential_salt === null) {
      throw new RangeError(`user ${row.id} has no credential on the auth side`);
    }
    return authRowsToMonolithUser(row, {
      scheme: row.credential_scheme,
      hash: row.credential_hash,
      salt: row.credential_salt,
      params: row.credential_params,
      updated_at: row.credential_updated_at,
    }) as MonolithUser;
  },
  canonicalService: canonicalServiceUser,
  // Exact, as stored: a case-only difference between the sides is a difference.
  canonicalMonolith: (row) => ({
    id: canon.text(row.id),
    email: canon.text(row.email),
    name: canon.text(row.name),
    created_at: canon.time(row.created_at),
    updated_at: canon.time(row.updated_at),
    scheme: canon.text(row.password_scheme ?? 'legacy-sha256'),
    hash: canon.text(row.password_hash),
    salt: canon.text(row.password_salt),
    params: canon.nullableText(row.password_params ?? null),
  }),
  // An erasure on one side wins over a change on the other; two different changes (a password on
  // each side, say) are for an operator.
  conflicts: { rule: 'a delete wins, else quarantined', resolve: deleteWins(quarantineConflict), meaning: 'both sides changed this user since they last agreed' },
});
