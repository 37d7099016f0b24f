import type { RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { requestContext } from '../logging/request-context';

/**
 * The edge's deadline on a forwarded write (docs/decisions/0038-write-deadlines.md): epoch ms after
 * which the edge no longer waits for the answer, and may already have let the same write (its retry)
 * go to the other side. A side that starts — or would commit — such a write after it refuses it with
 * no effect, so a process frozen with the request in its socket (SIGSTOP, a VM pause, a GC stall)
 * cannot do it late. The edge counts the write "in doubt" until the deadline plus a clock-skew margin.
 */
export const WRITE_DEADLINE_HEADER = 'x-strangler-write-deadline';
export const WRITE_DEADLINE_PASSED = 'WRITE_DEADLINE_PASSED';

export const writeDeadlinePassed = (): AppError =>
  new AppError(
    WRITE_DEADLINE_PASSED,
    503,
    'Write deadline passed',
    'The edge stopped waiting for this write before it could be done; nothing was done. Retry (with the same Idempotency-Key).',
    { retryable: true },
  );

/** The deadline a header value names, or undefined when absent or not a sane epoch-ms integer. */
export function parseWriteDeadline(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * After the body is read (the write is about to execute): a request whose deadline has passed is
 * refused (503, retryable, nothing done); else the deadline is kept in the request's context for
 * `assertWriteDeadline` right before commit.
 */
export function writeDeadlineMiddleware(now: () => number = Date.now): RequestHandler {
  return (req, res, next) => {
    const deadline = parseWriteDeadline(req.get(WRITE_DEADLINE_HEADER));
    if (deadline === undefined) return next();
    if (now() > deadline) return next(writeDeadlinePassed());
    const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : (requestContext.current()?.requestId ?? '');
    requestContext.run({ requestId, writeDeadline: deadline }, () => next());
  };
}

/** Right before a write commits: throws WRITE_DEADLINE_PASSED (the transaction rolls back) once the edge's deadline has passed. */
export function assertWriteDeadline(now: () => number = Date.now): void {
  const deadline = requestContext.current()?.writeDeadline;
  if (deadline !== undefined && now() > deadline) throw writeDeadlinePassed();
}

/**
 * The deadline header for a write this request makes on another side (the monolith's checkout paying
 * through the payments service): that side then refuses it too once the edge's deadline has passed.
 * Empty outside a request with a deadline.
 */
export function forwardedWriteDeadline(): Record<string, string> {
  const deadline = requestContext.current()?.writeDeadline;
  return deadline === undefined ? {} : { [WRITE_DEADLINE_HEADER]: String(deadline) };
}
