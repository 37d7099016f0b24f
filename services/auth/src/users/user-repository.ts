import type { Knex } from 'knex';
import { toDate } from '@strangler/kit';
import type { LoginAccount, User } from '@strangler/auth-api';

export class UserRepository {
  constructor(private readonly knex: Knex) {}

  async findAccountByEmail(email: string): Promise<LoginAccount | undefined> {
    const row = await this.knex('users as u')
      .leftJoin('credentials as c', 'c.user_id', 'u.id')
      .where('u.email', email)
      .first('u.id', 'u.email', 'u.name', 'u.created_at', 'c.scheme', 'c.hash', 'c.salt', 'c.params');
    if (!row) return undefined;
    return {
      user: { id: row.id, email: row.email, name: row.name, createdAt: toDate(row.created_at) },
      credential: row.scheme === null ? undefined : { scheme: row.scheme, hash: row.hash, salt: row.salt, params: row.params },
    };
  }

  /** Throws a unique violation (see isUniqueViolation) when the email is taken. */
  async insert(user: User): Promise<void> {
    await this.knex('users').insert({
      id: user.id,
      email: user.email,
      name: user.name,
      created_at: user.createdAt,
      updated_at: user.createdAt,
    });
  }
}
