import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { requestContext } from '../logging/request-context';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_HEADER = 'x-request-id';

/** The caller's request id when it is sane (a bounded token, so it cannot inject into logs or
 * headers), otherwise a fresh one. */
export function acceptedRequestId(incoming: string | undefined): string {
  return incoming && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
}

/** Takes the caller's `x-request-id` when it is sane, otherwise makes one; echoes it back and scopes
 * the rest of the request to it. */
export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const requestId = acceptedRequestId(req.get(REQUEST_ID_HEADER));
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.locals.requestId = requestId;
    requestContext.run({ requestId }, () => next());
  };
}
