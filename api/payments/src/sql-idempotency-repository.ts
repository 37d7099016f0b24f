import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { toDate } from '@strangler/kit';
import type { IdempotencyRecord, IdempotencyRepository } from './payments-storage';

/** The names one side gives the two columns of `idempotency_keys` that differ between schemas. */
export interface IdempotencyColumns {
  /** SHA-256 of the Idempotency-Key, in hex; with `user_id`, the primary key. */
  keyDigest: string;
  /** The request fingerprint (requestFingerprints). */
  requestFingerprint: string;
}

const PENDING_STATUS = 0;

/**
 * The column holds SHA-256(key), not the key: keys are secrets of sorts (the logger redacts the
 * header) and MySQL's case-insensitive, PAD SPACE collation would otherwise make "abc" and "ABC"
 * the same key there but not on SQLite. A digest compares exactly on both, and the same digest on
 * both sides keeps keys copied from the monolith replaying on the service.
 */
function keyDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Key rows as both sides store them: digest, fingerprint, and the response (status 0 = pending). */
export class SqlIdempotencyRepository implements IdempotencyRepository {
  constructor(
    private readonly db: Knex,
    private readonly columns: IdempotencyColumns,
  ) {}

  async find(userId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row: Record<string, unknown> | undefined = await this.db('idempotency_keys').where(this.keyOf(userId, key)).first();
    if (!row) return undefined;
    const status = Number(row.response_status);
    return {
      requestHash: String(row[this.columns.requestFingerprint]),
      response: status === PENDING_STATUS ? null : { status, body: String(row.response_body) },
      createdAt: toDate(row.created_at),
    };
  }

  async claim(userId: string, key: string, requestHash: string, now: Date): Promise<void> {
    await this.db('idempotency_keys').insert({
      ...this.keyOf(userId, key),
      [this.columns.requestFingerprint]: requestHash,
      response_status: PENDING_STATUS,
      response_body: '',
      created_at: now,
    });
  }

  async recordResponse(userId: string, key: string, status: number, body: string): Promise<void> {
    await this.db('idempotency_keys').where(this.keyOf(userId, key)).update({ response_status: status, response_body: body });
  }

  private keyOf(userId: string, key: string): Record<string, string> {
    return { user_id: userId, [this.columns.keyDigest]: keyDigest(key) };
  }
}
