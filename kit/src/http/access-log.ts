import type { RequestHandler } from 'express';
import type { Logger } from '../logging/logger';
import { requestContext } from '../logging/request-context';

/** One structured line per finished request. Only method, path, status and timing: bodies and
 * credential headers are never logged. */
export function accessLogMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const context = requestContext.current();
    res.on('finish', () => {
      // 'finish' fires outside the request's async context; restore it so the line has the id.
      if (context) requestContext.run(context, () => log());
      else log();
    });
    const log = () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      // `res.locals.routine`: a successful answer that peers ask for several times a second (the
      // session revocation feed) is logged at debug, not info.
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : res.locals.routine === true ? 'debug' : 'info';
      logger[level](
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          durationMs: Math.round(durationMs * 100) / 100,
          remoteAddress: req.socket.remoteAddress,
        },
        'request finished',
      );
    };
    next();
  };
}
