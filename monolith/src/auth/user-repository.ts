import type { Knex } from 'knex';
import { toDate } from '@strangler/kit';
import type { User } from '@strangler/auth-capability';
import type { StoredPassword } from './stored-password';

export interface UserWithPassword extends User {
  password: StoredPassword;
}

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

function toUser(row: UserRow): UserWithPassword {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    createdAt: toDate(row.created_at),
    password: { scheme: row.password_scheme, hash: row.password_hash, salt: row.password_salt, params: row.password_params },
  };
}

export class UserRepository {
  constructor(private readonly knex: Knex) {}

  async findByEmail(email: string): Promise<UserWithPassword | undefined> {
    const row = await this.knex<UserRow>('users').where({ email }).first();
    return row ? toUser(row) : undefined;
  }

  /** Throws a unique violation (see isUniqueViolation) when the email is taken. */
  async insert(user: UserWithPassword): Promise<void> {
    await this.knex('users').insert({
      id: user.id,
      email: user.email,
      name: user.name,
      password_hash: user.password.hash,
      password_salt: user.password.salt,
      password_scheme: user.password.scheme,
      password_params: user.password.params,
      created_at: user.createdAt,
      updated_at: user.createdAt,
    });
  }
}
