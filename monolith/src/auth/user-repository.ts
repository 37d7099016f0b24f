import type { Knex } from 'knex';
import { toDate } from '@strangler/kit';
import type { Credential, LoginAccount, User } from '@strangler/auth-api';

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  password_salt: string;
  password_scheme: string;
  password_params: string | null;
  created_at: unknown;
}

/** The monolith's `users`: the profile and the password verifier in one row (scheme since migration 008). */
export class UserRepository {
  constructor(private readonly knex: Knex) {}

  async findAccountByEmail(email: string): Promise<LoginAccount | undefined> {
    const row = await this.knex<UserRow>('users').where({ email }).first();
    if (!row) return undefined;
    return {
      user: { id: row.id, email: row.email, name: row.name, createdAt: toDate(row.created_at) },
      credential: { scheme: row.password_scheme, hash: row.password_hash, salt: row.password_salt, params: row.password_params },
    };
  }

  /** Throws a unique violation (see isUniqueViolation) when the email is taken. */
  async insert(user: User, credential: Credential): Promise<void> {
    await this.knex('users').insert({
      id: user.id,
      email: user.email,
      name: user.name,
      ...passwordColumns(credential),
      created_at: user.createdAt,
      updated_at: user.createdAt,
    });
  }

  /**
   * Compare-and-set, as on the service: replaces the password only if it is still `expected`, so of
   * two logins upgrading one hash at once one writes and the other changes nothing. `updated_at`
   * moves, so the data sync carries the new hash to the service.
   */
  async replaceCredential(userId: string, expected: Credential, replacement: Credential, at: Date): Promise<boolean> {
    const changed = await this.knex('users')
      .where({ id: userId, password_scheme: expected.scheme, password_hash: expected.hash, password_salt: expected.salt })
      .update({ ...passwordColumns(replacement), updated_at: at });
    return changed === 1;
  }
}

const passwordColumns = (credential: Credential) => ({
  password_hash: credential.hash,
  password_salt: credential.salt,
  password_scheme: credential.scheme,
  password_params: credential.params,
});
