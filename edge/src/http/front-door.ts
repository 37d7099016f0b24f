import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { acceptedRequestId, httpErrors, REQUEST_ID_HEADER, type AppError, type Logger } from '@strangler/kit';
import { surfaceOf } from './edge-surface';
import { writeProblem } from './problem-response';
import { requestErrors } from './request-errors';
import { requestHeaderProblem } from './request-header-rules';
import { canonicalTarget, isRefused, type RequestTarget } from './request-target';

export type ProxyListener = (req: IncomingMessage, res: ServerResponse, target: RequestTarget) => Promise<void>;

export interface FrontDoorOptions {
  /** The edge's own endpoints (express): health, and the admin ones where `serveAdmin`. */
  own: RequestListener;
  /** Everything else; absent on the admin listener. */
  proxy?: ProxyListener;
  /** Whether this listener carries `/_edge/*` and `/metrics`. */
  serveAdmin: boolean;
  /** Whether this listener carries `/openapi.json` and `/docs` (the public one). */
  serveDocs?: boolean;
  maxHeaders: number;
  /** Counts a request refused here, by problem code. */
  onRefused(code: string): void;
  logger: Logger;
}

/**
 * The first thing every request meets on a listener: its target made canonical once (request-target.ts),
 * its headers checked (request-header-rules.ts), then handed to exactly one place: the edge's own
 * endpoints, a 404 for what this listener never serves (internal paths; admin ones off the admin
 * listener), or the proxy, which gets the canonical target and never reads `req.url` itself.
 */
export function frontDoor(options: FrontDoorOptions): RequestListener {
  const { own, proxy, logger } = options;
  // Connections whose current answer closes them. Node has already parsed (and hands over) requests a
  // client pipelined behind it; RFC 9112 §9.6: they must not be processed. Their answers would never
  // be sent, so a client could not know a write among them had been done.
  const closing = new WeakSet<object>();
  const refuse = (req: IncomingMessage, res: ServerResponse, error: AppError) => {
    options.onRefused(error.code);
    closing.add(req.socket);
    answer(req, res, error, true);
  };
  return (req, res) => {
    if (closing.has(req.socket)) {
      req.resume();
      return;
    }
    if (!res.shouldKeepAlive) closing.add(req.socket);
    const target = canonicalTarget(req.method ?? 'GET', req.url ?? '/');
    if (isRefused(target)) return refuse(req, res, requestErrors.badRequestTarget(target.refused));
    const headerProblem = requestHeaderProblem(req, { maxHeaders: options.maxHeaders });
    if (headerProblem) return refuse(req, res, headerProblem);
    const surface = surfaceOf(target.path);
    if (surface === 'health' || (surface === 'admin' && options.serveAdmin) || (surface === 'docs' && options.serveDocs)) {
      // express routes by req.url: it sees the canonical form too.
      req.url = target.query === '' ? target.path : target.path + target.query;
      own(req, res);
      return;
    }
    if (surface !== 'proxied' || !proxy) return answer(req, res, httpErrors.routeNotFound(req.method ?? 'GET', target.path), false);
    proxy(req, res, target).catch((error: unknown) => {
      logger.error({ err: error, method: req.method, path: target.path }, 'unhandled proxy error');
      if (res.headersSent) res.destroy();
      else writeProblem(res, httpErrors.internal(), String(res.getHeader(REQUEST_ID_HEADER) ?? ''));
    });
  };
}

function answer(req: IncomingMessage, res: ServerResponse, error: AppError, close: boolean): void {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const requestId = acceptedRequestId(typeof incoming === 'string' ? incoming : undefined);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  // A request the edge would not read as the upstream does: nothing more on this connection either.
  if (close) res.setHeader('connection', 'close');
  writeProblem(res, error, requestId);
}
