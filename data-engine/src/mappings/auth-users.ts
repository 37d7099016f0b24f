import type { Knex } from 'knex';
import { toDate } from '@strangler/kit';

/** A row of the monolith's `users` table (dates as the driver returns them). */
export interface MonolithUserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  password_salt: string;
  /** Since monolith migration 008: 'legacy-sha256' (absent = legacy), 'scrypt' or 'argon2id'. */
  password_scheme?: string;
  /** Since 009: the modern hash's cost parameters, null for legacy. */
  password_params?: string | null;
  created_at: unknown;
  updated_at: unknown;
}

export interface AuthUserRow {
  id: string;
  email: string;
  name: string;
  created_at: Date;
  updated_at: Date;
}

export interface AuthCredentialRow {
  user_id: string;
  /** 'legacy-sha256' for hashes copied from the monolith until their owner logs in, then 'argon2id'
   * ('scrypt' for credentials re-hashed before argon2id, until their owner's next login). */
  scheme: string;
  hash: string;
  salt: string;
  params: string | null;
  updated_at: Date;
}

/**
 * The password schemes both sides can verify, so the ones the sync may carry either way. The list's
 * home is `PASSWORD_SCHEMES` in api/auth (passwords/credential.ts), which this workspace
 * does not depend on; services/auth/test/password-schemes.test.ts fails when the two differ.
 */
export const SHARED_PASSWORD_SCHEMES = ['argon2id', 'scrypt', 'legacy-sha256'] as const;

export interface AuthUserRows {
  user: AuthUserRow;
  credential: AuthCredentialRow;
}

/**
 * A monolith user as the auth database holds it. The password hash is carried over as is, under its
 * scheme (`legacy-sha256` for the monolith's own hex SHA-256 of salt + password, until the owner's
 * next login on either side replaces it with argon2id), with its parameters.
 */
export function monolithUserToAuthRows(row: MonolithUserRow): AuthUserRows {
  const updatedAt = toDate(row.updated_at);
  return {
    user: {
      id: row.id,
      email: row.email.trim().toLowerCase(),
      name: row.name,
      created_at: toDate(row.created_at),
      updated_at: updatedAt,
    },
    credential: {
      user_id: row.id,
      scheme: row.password_scheme ?? 'legacy-sha256',
      hash: row.password_hash,
      salt: row.password_salt,
      params: row.password_params ?? null,
      updated_at: updatedAt,
    },
  };
}

/**
 * The reverse: an auth user and their credential as the monolith's single `users` row, so a
 * rollback loses nothing. The credential goes over whatever its scheme (both sides verify every
 * scheme in SHARED_PASSWORD_SCHEMES); the row's `updated_at` is the later of the profile's and the
 * credential's, since the monolith's row changed when either did. An unknown scheme is refused.
 */
export function authRowsToMonolithUser(user: { id: string; email: string; name: string; created_at: unknown; updated_at: unknown }, credential: { scheme: string; hash: string; salt: string; params: string | null; updated_at: unknown }): Required<MonolithUserRow> {
  if (!(SHARED_PASSWORD_SCHEMES as readonly string[]).includes(credential.scheme)) {
    throw new RangeError(`user ${user.id} has a credential scheme the monolith cannot verify: ${JSON.stringify(credential.scheme)}`);
  }
  const profileUpdated = toDate(user.updated_at);
  const credentialUpdated = toDate(credential.updated_at);
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    password_hash: credential.hash,
    password_salt: credential.salt,
    password_scheme: credential.scheme,
    password_params: credential.params,
    created_at: toDate(user.created_at),
    updated_at: credentialUpdated.getTime() > profileUpdated.getTime() ? credentialUpdated : profileUpdated,
  };
}

/** The same email belongs to another id on the auth side: a conflict for a person, not for merge(). */
export class AuthEmailConflictError extends Error {
  constructor(readonly conflicts: ReadonlyArray<{ email: string; monolithId: string; authId: string }>) {
    super(`emails already used by other auth users: ${conflicts.map((c) => `${c.email} (monolith ${c.monolithId}, auth ${c.authId})`).join(', ')}`);
    this.name = 'AuthEmailConflictError';
  }
}

export interface CopyUsersResult {
  users: number;
  credentialsCopied: number;
  /** Credentials the auth side changed after the monolith last did (e.g. the upgrade to argon2id). */
  credentialsKept: number;
}

const DEFAULT_BATCH_SIZE = 500;

/**
 * Upserts monolith users (all, or only `ids`) into the auth database, one transaction per batch.
 * Re-running it is safe: profiles are merged by id, and a credential the auth side wrote more
 * recently than the monolith's `updated_at` is kept, so a copy never downgrades an upgraded hash.
 */
export async function copyMonolithUsersToAuth(
  monolith: Knex,
  auth: Knex,
  options: { ids?: readonly string[]; batchSize?: number } = {},
): Promise<CopyUsersResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const total: CopyUsersResult = { users: 0, credentialsCopied: 0, credentialsKept: 0 };
  for await (const rows of monolithUserBatches(monolith, batchSize, options.ids)) {
    const result = await auth.transaction((trx) => upsertBatch(trx, rows.map(monolithUserToAuthRows)));
    total.users += result.users;
    total.credentialsCopied += result.credentialsCopied;
    total.credentialsKept += result.credentialsKept;
  }
  return total;
}

async function* monolithUserBatches(monolith: Knex, batchSize: number, ids?: readonly string[]): AsyncGenerator<MonolithUserRow[]> {
  const columns = ['id', 'email', 'name', 'password_hash', 'password_salt', 'password_scheme', 'password_params', 'created_at', 'updated_at'];
  if (ids) {
    for (let start = 0; start < ids.length; start += batchSize) {
      const rows: MonolithUserRow[] = await monolith('users').whereIn('id', ids.slice(start, start + batchSize)).select(columns);
      if (rows.length) yield rows;
    }
    return;
  }
  let after: string | undefined;
  for (;;) {
    const query = monolith('users').select(columns).orderBy('id').limit(batchSize);
    if (after !== undefined) query.where('id', '>', after);
    const rows: MonolithUserRow[] = await query;
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.id;
  }
}

async function upsertBatch(trx: Knex.Transaction, batch: AuthUserRows[]): Promise<CopyUsersResult> {
  const ids = batch.map((rows) => rows.user.id);
  // MySQL's ON DUPLICATE KEY UPDATE also fires on the email index, which would silently rewrite
  // another person's row; refuse instead (and lock the emails so no registration slips in between).
  const taken: Array<{ id: string; email: string }> = await trx('users')
    .whereIn('email', batch.map((rows) => rows.user.email))
    .whereNotIn('id', ids)
    .forUpdate()
    .select('id', 'email');
  if (taken.length) {
    const monolithIdByEmail = new Map(batch.map((rows) => [rows.user.email, rows.user.id]));
    throw new AuthEmailConflictError(taken.map((t) => ({ email: t.email, monolithId: monolithIdByEmail.get(t.email) ?? '', authId: t.id })));
  }
  await trx('users')
    .insert(batch.map((rows) => rows.user))
    .onConflict('id')
    .merge(['email', 'name', 'created_at', 'updated_at']);

  const existing: Array<{ user_id: string; updated_at: unknown }> = await trx('credentials')
    .whereIn('user_id', ids)
    .forUpdate()
    .select('user_id', 'updated_at');
  const authUpdatedAt = new Map(existing.map((row) => [row.user_id, toDate(row.updated_at).getTime()]));
  const toCopy = batch
    .map((rows) => rows.credential)
    .filter((credential) => !((authUpdatedAt.get(credential.user_id) ?? -Infinity) > credential.updated_at.getTime()));
  if (toCopy.length) {
    await trx('credentials').insert(toCopy).onConflict('user_id').merge(['scheme', 'hash', 'salt', 'params', 'updated_at']);
  }
  return { users: batch.length, credentialsCopied: toCopy.length, credentialsKept: batch.length - toCopy.length };
}
