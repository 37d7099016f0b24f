import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { httpErrors } from '../errors/http-errors';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../errors/problem-details';
import type { Logger } from '../logging/logger';

interface BodyParserError {
  type?: string;
  status?: number;
}

function translate(error: unknown, bodyLimit: string): AppError | undefined {
  if (error instanceof AppError) return error;
  const parserError = error as BodyParserError;
  switch (parserError?.type) {
    case 'entity.parse.failed':
      return httpErrors.malformedJson();
    case 'entity.too.large':
      return httpErrors.payloadTooLarge(bodyLimit);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return httpErrors.unsupportedMediaType(undefined);
    case 'request.aborted':
      return new AppError('REQUEST_ABORTED', 400, 'Request aborted', 'The client aborted the request.');
    default:
      return undefined;
  }
}

/** Renders every failure as application/problem+json; unexpected errors are logged with their stack
 * and answered with a generic 500 that reveals nothing. */
export function errorHandler(logger: Logger, bodyLimit: string): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const known = translate(error, bodyLimit);
    if (!known) logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    const appError = known ?? httpErrors.internal();
    if (res.headersSent) {
      next(error);
      return;
    }
    sendProblem(res, appError);
  };
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(httpErrors.routeNotFound(req.method, req.path));
}

/** Send an AppError as problem+json from anywhere a response is at hand. */
export function sendProblem(res: Parameters<RequestHandler>[1], error: AppError): void {
  res.status(error.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(toProblem(error, res.locals.requestId as string | undefined)));
}
