import type { Knex } from 'knex';
import { SqlIdempotencyRepository, type IdempotencyRepository } from '@strangler/payments-api';

/** Idempotency-Key rows in the service's `idempotency_keys`: the same digest and fingerprint as the
 * monolith's (so keys copied from it keep replaying here), in `key_hash` and `request_fingerprint`. */
export function idempotencyRepository(db: Knex): IdempotencyRepository {
  return new SqlIdempotencyRepository(db, { keyDigest: 'key_hash', requestFingerprint: 'request_fingerprint' });
}
