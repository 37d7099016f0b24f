import type { Knex } from 'knex';
import { toDate } from '@strangler/kit';
import type { User } from './user-repository';

export interface NewSession {
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

export class SessionRepository {
  constructor(private readonly knex: Knex) {}

  async insert(session: NewSession): Promise<void> {
    await this.knex('sessions').insert({
      token_hash: session.tokenHash,
      user_id: session.userId,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      revoked_at: null,
    });
  }

  /** The user owning a session that is neither revoked nor expired at `now`. */
  async findActiveUser(tokenHash: string, now: Date): Promise<User | undefined> {
    const row = await this.knex('sessions as s')
      .join('users as u', 'u.id', 's.user_id')
      .where('s.token_hash', tokenHash)
      .whereNull('s.revoked_at')
      .where('s.expires_at', '>', now)
      .first('u.id', 'u.email', 'u.name', 'u.created_at');
    return row ? { id: row.id, email: row.email, name: row.name, createdAt: toDate(row.created_at) } : undefined;
  }

  async revoke(tokenHash: string, now: Date): Promise<void> {
    await this.knex('sessions').where({ token_hash: tokenHash }).whereNull('revoked_at').update({ revoked_at: now });
  }
}
