import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { isDependencyUnavailable } from '../errors/dependency-unavailable';
import { httpErrors } from '../errors/http-errors';
import { isWriteFenced, writeFenced, WRITE_FENCED } from '../errors/write-fenced';
import { MAX_JSON_DEPTH } from './json-body';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../errors/problem-details';
import type { Logger } from '../logging/logger';

/** What body-parser (raw-body) and express's router attach to the errors they raise. */
interface HttpLayerError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

/**
 * An error as the client's answer, or undefined when it is unexpected (a 500). Every failure to read
 * the request itself — a body or a URI that cannot be parsed — is the client's, a 4xx: a client must
 * never be able to make a side answer 5xx (and so look unhealthy to the edge) with malformed input.
 */
export function translateError(error: unknown, bodyLimit: string): AppError | undefined {
  if (error instanceof AppError) return error;
  // express's router decoding a `:param` (`/api/payments/%ZZ`), or anything else decoding a URI.
  if (error instanceof URIError) return httpErrors.malformedUri();
  const layerError = error as HttpLayerError | undefined;
  switch (layerError?.type) {
    case 'entity.parse.failed':
      return httpErrors.malformedJson();
    case 'entity.too.large':
      return httpErrors.payloadTooLarge(bodyLimit);
    case 'entity.too.deep':
      return httpErrors.jsonTooDeep(MAX_JSON_DEPTH);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return httpErrors.unsupportedMediaType(undefined);
    case 'request.aborted':
      return httpErrors.requestAborted();
    case 'request.size.invalid':
      return httpErrors.badRequest('The request body is not as long as its Content-Length says.');
    case 'entity.verify.failed':
      return httpErrors.badRequest('The request body was refused.');
    default:
      break;
  }
  // Any other error the HTTP layer (http-errors) marks as the client's: its 4xx status, kit's shape.
  const status = layerError?.status ?? layerError?.statusCode;
  if (layerError?.expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(status === 400 ? 'BAD_REQUEST' : `HTTP_${status}`, status, 'Bad request', 'The request could not be read.');
  }
  // A write fence's trigger refused the write: nothing was done, the client retries (decision 0018).
  if (isWriteFenced(error)) return writeFenced(undefined, 1);
  if (isDependencyUnavailable(error)) return httpErrors.serviceUnavailable('A dependency of this service is unavailable. Retry shortly.');
  return undefined;
}

/** Renders every failure as application/problem+json; unexpected errors are logged with their stack
 * and answered with a generic 500 that reveals nothing. */
export function errorHandler(logger: Logger, bodyLimit: string): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const known = translateError(error, bodyLimit);
    if (!known) logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    else if (!(error instanceof AppError) && known.code === WRITE_FENCED) logger.warn({ method: req.method, path: req.path }, 'write refused by a write fence');
    else if (!(error instanceof AppError) && known.status >= 500) logger.error({ err: error, method: req.method, path: req.path }, 'dependency unavailable');
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
  if (error.code === WRITE_FENCED) {
    const seconds = error.extensions.retryAfterSeconds;
    res.setHeader('retry-after', String(typeof seconds === 'number' ? seconds : 1));
  }
  res.status(error.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(toProblem(error, res.locals.requestId as string | undefined)));
}
