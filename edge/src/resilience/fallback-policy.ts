import type { AppError } from '@strangler/kit';
import { edgeErrors, type UpstreamFailure } from '../proxy/upstream-errors';
import type { Target } from '../flags/stage-decision';

export interface FailureFacts {
  side: Target;
  failure: UpstreamFailure;
  capability: string;
  safe: boolean;
  hasIdempotencyKey: boolean;
  /** The whole body can still be sent again (buffered, or a streamed body never opened). */
  replayable: boolean;
  responseTimeoutMs: number;
}

export interface FailureResponse {
  kind: 'fail';
  error: AppError;
  /** Send Retry-After: a retry cannot make things worse. */
  retryAfter: boolean;
}

export type FailureAction = { kind: 'retry-on-monolith' } | FailureResponse;

/** The service said it did not serve the request (see proxy-handler's refuseStatus). */
const serviceDeclined = (failure: UpstreamFailure) => failure.code === 'HTTP_503';

/**
 * What to do when an upstream call produced no response. A service failure may be retried on the
 * monolith when that cannot do anything twice, and only with the whole body at hand: the request is
 * safe; or nothing reached the service; or it carries an Idempotency-Key and the service declined it
 * (503). A keyed write that reached the service and then broke off (reset, timeout) may have been
 * done there, and the monolith learns the service's idempotency records only through the sync, so
 * replaying it could do it twice: the client gets a retryable 503 and retries with the same key.
 * Otherwise the client gets a clear, stable error; there is no side left to try after the monolith.
 */
export function decideOnFailure(facts: FailureFacts): FailureAction {
  if (facts.side === 'service') {
    const cannotRepeat = facts.safe || !facts.failure.requestSent || (facts.hasIdempotencyKey && serviceDeclined(facts.failure));
    if (facts.replayable && cannotRepeat) return { kind: 'retry-on-monolith' };
    return { kind: 'fail', error: edgeErrors.serviceUnavailable(facts.capability), retryAfter: true };
  }
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
