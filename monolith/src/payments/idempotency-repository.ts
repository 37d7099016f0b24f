import type { Knex } from 'knex';
import { SqlIdempotencyRepository, type IdempotencyRepository } from '@strangler/payments-api';

/** Idempotency-Key rows in the monolith's `idempotency_keys`: the key's digest in `idempotency_key`,
 * the request fingerprint in `request_hash`. */
export function idempotencyRepository(db: Knex): IdempotencyRepository {
  return new SqlIdempotencyRepository(db, { keyDigest: 'idempotency_key', requestFingerprint: 'request_hash' });
}
