import { isDeadlock, isUniqueViolation, type Clock } from '@strangler/kit';
import { paymentErrors } from './payment-errors';
import type { IdempotencyRecord, PaymentRepository, PaymentsStorage } from './payments-storage';

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

type Write = (payments: PaymentRepository) => Promise<{ status: number; body: unknown }>;

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
  storage: PaymentsStorage,
  clock: Clock,
  scope: IdempotencyScope | undefined,
  write: Write,
): Promise<RecordedResponse> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await respondOnce(storage, clock, scope, write);
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
  storage: PaymentsStorage,
  clock: Clock,
  scope: IdempotencyScope | undefined,
  write: Write,
): Promise<RecordedResponse> {
  if (scope) {
    const prior = await storage.idempotency.find(scope.userId, scope.key);
    if (prior) return replay(prior, scope);
  }
  try {
    return await storage.transaction(async (tx) => {
      if (scope) await tx.idempotency.claim(scope.userId, scope.key, scope.requestHash, clock.now());
      const response = await write(tx.payments);
      const body = JSON.stringify(response.body);
      if (scope) await tx.idempotency.recordResponse(scope.userId, scope.key, response.status, body);
      return { status: response.status, body, replayed: false };
    });
  } catch (error) {
    if (!scope || !isUniqueViolation(error)) throw error;
    const winner = await storage.idempotency.find(scope.userId, scope.key);
    if (!winner) throw error;
    return replay(winner, scope);
  }
}
