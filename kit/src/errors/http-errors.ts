import { AppError } from './app-error';

/** Errors the HTTP layer raises itself, whatever the deployable. */
export const httpErrors = {
  malformedJson: () => new AppError('MALFORMED_JSON', 400, 'Malformed JSON', 'The request body is not valid JSON.'),
  payloadTooLarge: (limit: string) =>
    new AppError('PAYLOAD_TOO_LARGE', 413, 'Payload too large', `The request body exceeds ${limit}.`),
  unsupportedMediaType: (contentType: string | undefined) =>
    new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      415,
      'Unsupported media type',
      `Request bodies must be application/json${contentType ? `, not ${contentType}` : ''}.`,
    ),
  unsupportedEncoding: () =>
    new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'Unsupported content encoding', 'Request bodies must not be compressed.'),
  jsonTooDeep: (limit: number) => new AppError('JSON_TOO_DEEP', 400, 'JSON nested too deep', `The request body nests arrays and objects deeper than ${limit} levels.`),
  malformedUri: () =>
    new AppError('MALFORMED_URI', 400, 'Malformed request target', 'The request path or query is not validly percent-encoded UTF-8.'),
  badRequest: (detail: string) => new AppError('BAD_REQUEST', 400, 'Bad request', detail),
  requestAborted: () => new AppError('REQUEST_ABORTED', 400, 'Request aborted', 'The client aborted the request.'),
  routeNotFound: (method: string, path: string) =>
    new AppError('ROUTE_NOT_FOUND', 404, 'Not found', `No route for ${method} ${path}.`),
  internal: () => new AppError('INTERNAL_ERROR', 500, 'Internal server error', 'An unexpected error occurred.'),
  serviceUnavailable: (detail: string) => new AppError('SERVICE_UNAVAILABLE', 503, 'Service unavailable', detail, { retryable: true }),
};
