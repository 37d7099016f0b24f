import type { ErrorRequestHandler } from 'express';
import { AppError, httpErrors, sendProblem, type Logger } from '@strangler/kit';

/** Problems from the edge's own endpoints; anything unexpected is logged and answered with a bare 500. */
export function edgeErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (!(error instanceof AppError)) logger.error({ err: error, method: req.method, path: req.path, requestId: res.locals.requestId }, 'unhandled error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, error instanceof AppError ? error : httpErrors.internal());
  };
}
