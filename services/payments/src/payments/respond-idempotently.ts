import type { Knex } from 'knex';
import { isDeadlock, isUniqueViolation, type Clock } from '@strangler/kit';
import { IdempotencyRepository, type IdempotencyRecord } from './idempotency-repository';
import { paymentErrors } from './payment-errors';

export interface IdempotencyScope {
  userId: string;
  key: string;
  /** See requestFingerprints. */
  requestHash: string;
}

/** A response as first sent, so that a retry can get exactly the same bytes back. */
export interface RecordedResponse {
  status: number;
  body: string;
  replayed: boolean;
}

function replay(record: IdempotencyRecord, scope: IdempotencyScope): RecordedResponse {
  if (record.requestHash !== scope.requestHash) throw paymentErrors.idempotencyKeyReused();
  if (!record.response) throw paymentErrors.idempotencyInProgress();
  return { ...record.response, replayed: true };
}

/**
 * Runs `write` in a transaction. With a scope, the key is claimed first in that same transaction and
 * the response recorded before commit: the write and its key commit together or not at all. A
 * request that finds the key (before starting, or via a unique violation when it raced a concurrent
 * one and lost) replays the recorded response, or gets 422 if its request differs. Failures are not
 * recorded: the transaction rolls back, releasing the key, so a retry runs afresh.
 */
export async function respondIdempotently(
  knex: Knex,
  clock: Clock,
  scope: IdempotencyScope | undefined,
  write: (trx: Knex.Transaction) => Promise<{ status: number; body: unknown }>,
): Promise<RecordedResponse> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await respondOnce(knex, clock, scope, write);
    } catch (error) {
      // InnoDB picks a victim when waiters on one key both try to insert after its holder rolled
      // back; the victim's transaction is gone, so running it again is safe.
      if (attempt < DEADLOCK_ATTEMPTS && isDeadlock(error)) continue;
      throw error;
    }
  }
}

const DEADLOCK_ATTEMPTS = 3;

async function respondOnce(
  knex: Knex,
  clock: Clock,
  scope: IdempotencyScope | undefined,
  write: (trx: Knex.Transaction) => Promise<{ status: number; body: unknown }>,
): Promise<RecordedResponse> {
  if (scope) {
    const prior = await new IdempotencyRepository(knex).find(scope.userId, scope.key);
    if (prior) return replay(prior, scope);
  }
  try {
    return await knex.transaction(async (trx) => {
      const keys = new IdempotencyRepository(trx);
      if (scope) await keys.claim(scope.userId, scope.key, scope.requestHash, clock.now());
      const response = await write(trx);
      const body = JSON.stringify(response.body);
      if (scope) await keys.recordResponse(scope.userId, scope.key, response.status, body);
      return { status: response.status, body, replayed: false };
    });
  } catch (error) {
    if (!scope || !isUniqueViolation(error)) throw error;
    const winner = await new IdempotencyRepository(knex).find(scope.userId, scope.key);
    if (!winner) throw error;
    return replay(winner, scope);
  }
}
