import type { Knex } from 'knex';
import { isUniqueViolation, toDate, type Clock } from '@strangler/kit';

/** Whose registration a claim is: one running on this side, or one a peer runs that this side granted. */
export type ClaimHolder = 'local' | 'peer';
export type ClaimOutcome = 'granted' | 'taken' | 'contended';

interface ClaimRow {
  email: string;
  claim_id: string;
  holder: ClaimHolder;
  expires_at: unknown;
}

/**
 * The `email_claims` table (the same on both sides) and the one rule both sides apply to it
 * (decision 0028). A claim is taken with an INSERT (the primary key on the email is the lock) or a
 * compare-and-set UPDATE of the row seen, never a read-then-write, so it holds on SQLite, MySQL and
 * MariaDB alike. An existing claim gives way only when it has expired, or when it is this side's own
 * registration and a peer asks with a smaller claim id: two registrations of one email racing on two
 * sides each ask the other, and the smaller id wins on both.
 */
export class EmailClaimRepository {
  constructor(
    private readonly knex: Knex,
    private readonly clock: Clock,
  ) {}

  async claim(email: string, claimId: string, holder: ClaimHolder, ttlMs: number): Promise<ClaimOutcome> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const held = await this.take(email, claimId, holder, ttlMs);
      if (held === 'retry') continue;
      if (held === 'contended') return 'contended';
      // Checked once the claim is held: a registration that committed before it is seen; one that
      // commits after it cannot (it needs its own claim, now gone).
      if (await this.knex('users').where({ email }).first('id')) {
        await this.release(email, claimId);
        return 'taken';
      }
      return 'granted';
    }
    return 'contended';
  }

  /** Inside the registration's transaction: true (and the claim is gone) when it is still `claimId`'s. */
  async confirm(email: string, claimId: string): Promise<boolean> {
    return (await this.knex('email_claims').where({ email, claim_id: claimId }).delete()) === 1;
  }

  async release(email: string, claimId: string): Promise<void> {
    await this.knex('email_claims').where({ email, claim_id: claimId }).delete();
  }

  async releaseById(claimId: string): Promise<void> {
    await this.knex('email_claims').where({ claim_id: claimId }).delete();
  }

  private async take(email: string, claimId: string, holder: ClaimHolder, ttlMs: number): Promise<'held' | 'contended' | 'retry'> {
    const row = { email, claim_id: claimId, holder, expires_at: new Date(this.clock.now().getTime() + ttlMs) };
    try {
      await this.knex('email_claims').insert(row);
      return 'held';
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const seen: ClaimRow | undefined = await this.knex('email_claims').where({ email }).first('email', 'claim_id', 'holder', 'expires_at');
    if (!seen) return 'retry';
    if (seen.claim_id === claimId) {
      await this.knex('email_claims').where({ email, claim_id: claimId }).update({ expires_at: row.expires_at });
      return 'held';
    }
    const expired = toDate(seen.expires_at).getTime() <= this.clock.now().getTime();
    const outranked = seen.holder === 'local' && holder === 'peer' && claimId < seen.claim_id;
    if (!expired && !outranked) return 'contended';
    const replaced = await this.knex('email_claims').where({ email, claim_id: seen.claim_id }).update(row);
    return replaced === 1 ? 'held' : 'retry';
  }
}
