import type { ErrorRequestHandler } from 'express';
import { httpErrors, sendProblem, translateError, type Logger } from '@strangler/kit';

/** The largest body the edge's own endpoints read (admin requests: a fence, an emergency stop). */
export const ADMIN_BODY_LIMIT = '4kb';

/**
 * Problems from the edge's own endpoints, translated as kit translates every deployable's (a body
 * that does not parse is the client's 400, never a 500); anything unexpected is logged and answered
 * with a bare 500.
 */
export function edgeErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = translateError(error, ADMIN_BODY_LIMIT);
    if (!known) logger.error({ err: error, method: req.method, path: req.path, requestId: res.locals.requestId }, 'unhandled error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, known ?? httpErrors.internal());
  };
}
