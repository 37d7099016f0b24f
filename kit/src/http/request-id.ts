import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { requestContext } from '../logging/request-context';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_HEADER = 'x-request-id';

/** Takes the caller's `x-request-id` when it is sane (a bounded token, so it cannot inject into
 * logs or headers), otherwise makes one; echoes it back and scopes the rest of the request to it. */
export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get(REQUEST_ID_HEADER);
    const requestId = incoming && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.locals.requestId = requestId;
    requestContext.run({ requestId }, () => next());
  };
}
