import type { Knex } from 'knex';
import { toDate, writeTransaction, type Clock, type LocalSessions, type Revocations, type SessionLookup } from '@strangler/kit';

/** One feed answer carries at most this many revocations; more makes readers drop their caches. */
const FEED_LIMIT = 5_000;

export interface NewSession {
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * The `sessions` table (joined to `users` for the session's user), which has the same columns on both
 * sides, also answering the shared session protocol (LocalSessions): revoked or expired is 'ended',
 * never 'unknown', so a peer does not go on asking elsewhere about a token that was logged out.
 */
export class SessionRepository implements LocalSessions {
  constructor(
    private readonly knex: Knex,
    private readonly clock: Clock,
  ) {}

  async insert(session: NewSession): Promise<void> {
    await this.knex('sessions').insert({
      token_hash: session.tokenHash,
      user_id: session.userId,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      revoked_at: null,
    });
  }

  async lookup(tokenHash: string): Promise<SessionLookup> {
    const row = await this.knex('sessions as s')
      .join('users as u', 'u.id', 's.user_id')
      .where('s.token_hash', tokenHash)
      .first('s.expires_at', 's.revoked_at', 'u.id', 'u.email', 'u.name', 'u.created_at');
    if (!row) return { state: 'unknown' };
    const expiresAt = toDate(row.expires_at);
    if (row.revoked_at !== null || expiresAt.getTime() <= this.clock.now().getTime()) return { state: 'ended' };
    return {
      state: 'active',
      user: { id: row.id, email: row.email, name: row.name, createdAt: toDate(row.created_at).toISOString() },
      expiresAt: expiresAt.toISOString(),
    };
  }

  /** A logout's write: past the edge's deadline it rolls back and throws (kit's writeTransaction). */
  async revoke(tokenHash: string): Promise<boolean> {
    return writeTransaction(this.knex, async (trx) => {
      const known = await trx('sessions').where({ token_hash: tokenHash }).first('token_hash');
      if (!known) return false;
      await trx('sessions').where({ token_hash: tokenHash }).whereNull('revoked_at').update({ revoked_at: this.clock.now() });
      return true;
    });
  }

  /** The revocation feed (decision 0027): sessions revoked at or after `since`, by the sessions_revoked_at index. */
  async revokedSince(since: Date | undefined): Promise<Revocations> {
    const now = this.clock.now();
    if (since === undefined) return { now, tokenHashes: [], truncated: false };
    const rows: Array<{ token_hash: string }> = await this.knex('sessions').where('revoked_at', '>=', since).limit(FEED_LIMIT + 1).select('token_hash');
    return { now, tokenHashes: rows.slice(0, FEED_LIMIT).map((row) => row.token_hash), truncated: rows.length > FEED_LIMIT };
  }
}
