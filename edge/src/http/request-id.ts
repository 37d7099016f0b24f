import type { RequestHandler } from 'express';
import { acceptedRequestId, REQUEST_ID_HEADER } from '@strangler/kit';

/**
 * kit's request-id rule (the caller's id when sane, else a fresh one, echoed back) without kit's
 * AsyncLocalStorage scope: on the edge's hot path the async hooks cost about a third of the
 * throughput, so the edge passes the id to its few log lines explicitly instead.
 */
export function edgeRequestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers[REQUEST_ID_HEADER];
    const requestId = acceptedRequestId(typeof incoming === 'string' ? incoming : undefined);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.locals.requestId = requestId;
    next();
  };
}
