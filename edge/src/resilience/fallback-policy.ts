import type { AppError } from '@strangler/kit';
import { edgeErrors, type UpstreamFailure } from '../proxy/upstream-errors';
import type { Side as Target } from '@strangler/cutover-model';

export interface FailureFacts {
  side: Target;
  failure: UpstreamFailure;
  capability: string;
  safe: boolean;
  hasIdempotencyKey: boolean;
  /** The whole body can still be sent again (buffered, or a streamed body never opened). */
  replayable: boolean;
  responseTimeoutMs: number;
  /** The decision's fallback (route-decision.ts): the service, for a read a pin moved to the monolith. */
  fallback?: Target | undefined;
}

export interface FailureResponse {
  kind: 'fail';
  error: AppError;
  /** Send Retry-After: a retry cannot make things worse. */
  retryAfter: boolean;
}

export type FailureAction = { kind: 'retry-on-monolith' } | { kind: 'retry-on-service' } | FailureResponse;

/**
 * What to do when an upstream call produced no response. A safe request the service failed is served
 * by the monolith when its whole body is at hand. An unsafe one never leaves the side that holds the
 * user's write authority (decision 0020), whatever broke: even one that never reached the service may
 * be the retry of a key whose first attempt the service still holds (a stalled process, a full socket),
 * and the monolith learns the service's idempotency records only through the sync, so running it there
 * could do it twice. The client gets a retryable 503 and retries with the same key. A read the
 * monolith failed is sent to the service only when a read-your-writes pin took it off the service
 * (decision 0012); otherwise there is no side left to try after the monolith.
 */
export function decideOnFailure(facts: FailureFacts): FailureAction {
  if (facts.side === 'service') {
    if (facts.replayable && facts.safe) return { kind: 'retry-on-monolith' };
    return { kind: 'fail', error: edgeErrors.serviceUnavailable(facts.capability), retryAfter: true };
  }
  if (facts.fallback === 'service' && facts.replayable && facts.safe) return { kind: 'retry-on-service' };
  return monolithFailure(facts);
}

/** The monolith is the last resort: its failure is the client's answer. */
export function monolithFailure(facts: Omit<FailureFacts, 'side' | 'replayable'>): FailureResponse {
  const retryableByClient = facts.safe || facts.hasIdempotencyKey;
  switch (facts.failure.kind) {
    case 'connect':
      return { kind: 'fail', error: edgeErrors.upstreamUnavailable('monolith'), retryAfter: true };
    case 'timeout':
      return { kind: 'fail', error: edgeErrors.upstreamTimeout('monolith', facts.responseTimeoutMs, retryableByClient), retryAfter: retryableByClient };
    case 'reset':
      return { kind: 'fail', error: edgeErrors.badGateway('monolith', retryableByClient), retryAfter: retryableByClient };
  }
}
