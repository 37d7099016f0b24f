import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { toDate } from '@strangler/kit';

export interface IdempotencyRecord {
  requestHash: string;
  /** Null while the transaction that claimed the key has not finished (never visible committed). */
  response: { status: number; body: string } | null;
  createdAt: Date;
}

interface IdempotencyRow {
  user_id: string;
  key_hash: string;
  request_fingerprint: string;
  response_status: unknown;
  response_body: string;
  created_at: unknown;
}

const PENDING_STATUS = 0;

/**
 * SHA-256(key), as the monolith stores it: keys are secrets of sorts (the logger redacts the
 * header), a digest compares exactly under any collation, and keys copied from the monolith keep
 * replaying here.
 */
function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class IdempotencyRepository {
  constructor(private readonly db: Knex) {}

  async find(userId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db<IdempotencyRow>('idempotency_keys').where({ user_id: userId, key_hash: keyHash(key) }).first();
    if (!row) return undefined;
    const status = Number(row.response_status);
    return {
      requestHash: row.request_fingerprint,
      response: status === PENDING_STATUS ? null : { status, body: row.response_body },
      createdAt: toDate(row.created_at),
    };
  }

  /**
   * Inserts the key before the work it guards, inside the same transaction. A concurrent request
   * with the same key then blocks on this row (MySQL) or on the single writer (SQLite) and fails
   * with a unique violation once this transaction commits. Throws that violation.
   */
  async claim(userId: string, key: string, requestHash: string, now: Date): Promise<void> {
    await this.db('idempotency_keys').insert({
      user_id: userId,
      key_hash: keyHash(key),
      request_fingerprint: requestHash,
      response_status: PENDING_STATUS,
      response_body: '',
      created_at: now,
    });
  }

  async recordResponse(userId: string, key: string, status: number, body: string): Promise<void> {
    await this.db('idempotency_keys')
      .where({ user_id: userId, key_hash: keyHash(key) })
      .update({ response_status: status, response_body: body });
  }
}
