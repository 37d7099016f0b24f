import { AppError } from '@strangler/kit';

export type FailureKind = 'connect' | 'timeout' | 'reset';

/** Why an upstream call produced no response. */
export interface UpstreamFailure {
  kind: FailureKind;
  /** Whether any of the request may have reached the upstream (false only when no connection was made). */
  requestSent: boolean;
  code: string | undefined;
  message: string;
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

export interface AttemptFacts {
  /** The TCP connection was up (fresh and connected, or a reused keep-alive socket). */
  connected: boolean;
  timedOut: 'connect' | 'response' | undefined;
}

/** The code of an attempt that never got a connection because the pool stayed full (see queueTimeout). */
export const QUEUE_TIMEOUT = 'EDGE_QUEUE_TIMEOUT';

/**
 * No connection to the upstream became free in time: nothing was sent, like a refused connection, so
 * the same fallback applies; but it says the edge's pool is full, not that the upstream is unhealthy
 * (slow clients can fill a pool too), so a breaker does not count it (countsAgainstUpstream).
 */
export function queueTimeout(queueMs: number): UpstreamFailure {
  return { kind: 'connect', requestSent: false, code: QUEUE_TIMEOUT, message: `no connection became free within ${queueMs} ms` };
}

/**
 * Whether a failed call says the upstream is unhealthy (docs/decisions/0016-breaker-failures.md):
 * refused or timed-out connections, resets and silence before the answer do; a full pool of the edge's
 * own does not.
 */
export function countsAgainstUpstream(failure: UpstreamFailure): boolean {
  return failure.code !== QUEUE_TIMEOUT;
}

/** The metrics and fallback label of a failure: its kind, or `queue` for a pool that stayed full. */
export function failureLabel(failure: UpstreamFailure): string {
  return failure.code === QUEUE_TIMEOUT ? 'queue' : failure.kind;
}

export function classifyUpstreamError(error: unknown, facts: AttemptFacts): UpstreamFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (facts.timedOut === 'connect') return { kind: 'connect', requestSent: false, code: 'ETIMEDOUT', message: 'connect timed out' };
  if (facts.timedOut === 'response') return { kind: 'timeout', requestSent: true, code: 'ETIMEDOUT', message: 'response timed out' };
  if (!facts.connected || (code !== undefined && CONNECT_ERRORS.has(code))) return { kind: 'connect', requestSent: false, code, message };
  return { kind: 'reset', requestSent: true, code, message };
}

/** The edge's own problem responses. Codes are part of the public contract: never reuse a retired one. */
export const edgeErrors = {
  upstreamUnavailable: (side: string) =>
    new AppError('EDGE_UPSTREAM_UNAVAILABLE', 502, 'Upstream unavailable', `The ${side} could not be reached; nothing was sent to it. Retry shortly.`, {
      retryable: true,
    }),
  badGateway: (side: string, retryable: boolean) =>
    new AppError(
      'EDGE_BAD_GATEWAY',
      502,
      'Bad gateway',
      `The connection to the ${side} failed before it answered.${retryable ? ' Retry shortly.' : ' The request may or may not have taken effect.'}`,
      { retryable },
    ),
  upstreamTimeout: (side: string, timeoutMs: number, retryable: boolean) =>
    new AppError('EDGE_UPSTREAM_TIMEOUT', 504, 'Upstream timeout', `The ${side} did not answer within ${timeoutMs} ms.`, { retryable }),
  serviceUnavailable: (capability: string) =>
    new AppError(
      'EDGE_SERVICE_UNAVAILABLE',
      503,
      'Service unavailable',
      `The ${capability} service failed while handling this request, so it may or may not have taken effect; it was not replayed elsewhere. Retry shortly with the same Idempotency-Key (add one if there was none) to make the retry safe.`,
      { retryable: true },
    ),
  adminUnauthorized: () => new AppError('EDGE_ADMIN_UNAUTHORIZED', 401, 'Unauthorized', 'A valid admin bearer token is required.'),
};
