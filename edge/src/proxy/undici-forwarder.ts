import { PassThrough } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { Forwarder, type AttemptOutcome, type AttemptSpec, type RequestForwarder, type UpstreamTarget } from './forwarder';
import { ResponseCapture } from './response-capture';
import { clearResponseHead, copyResponseHead, type ResponseHeaders } from './response-head';
import { classifyUpstreamError } from './upstream-errors';
import { upstreamPath } from './upstream-path';

export interface PoolSettings {
  /** Connections per upstream origin. */
  maxSockets: number;
  /** Idle keep-alive connections are closed after this; keep it below the upstreams' keep-alive timeout. */
  idleSocketMs: number;
}

/** Where one upstream is, as a request needs it: worked out once per target. */
interface Endpoint {
  pool: Dispatcher;
  /** The Host header: the upstream's `host` (with the port unless it is the default). */
  host: string;
  /** A base path in the upstream URL (`http://legacy:8080/legacy`), prefixed to every request path. */
  basePath: string;
}

/**
 * Request targets undici refuses but HTTP allows, and node:http sends as given: `OPTIONS *`, and
 * targets with characters outside visible ASCII and Latin-1 (the legacy URL parser lets some through).
 */
const sendsAsIs = (path: string) => (path[0] === '/' || path.startsWith('http://') || path.startsWith('https://')) && !/[^\u0021-\u00ff]/.test(path);

const UNDICI_CONNECT_TIMEOUT = 'UND_ERR_CONNECT_TIMEOUT';

/**
 * Forwards one attempt of a request to one upstream with undici (a keep-alive Pool per upstream), and
 * reports how it ended exactly as `Forwarder` (node:http) does: it never answers the client itself on
 * failure, so the caller can still fall back or answer with a problem. Bodies stream both ways with
 * backpressure; nothing is parsed. What goes to the upstream is the same request line, the same
 * end-to-end header lines in the same order and the same body; undici writes `host` and
 * `connection: keep-alive` first and the framing last, in lower case, and closes the connection after
 * a HEAD (`test/forwarder-equivalence.test.ts`). Request targets undici refuses (`OPTIONS *`, bytes
 * beyond Latin-1) go through the node:http forwarder.
 *
 * Why: on this kind of box a bare undici proxy carried about twice the requests/s of a bare http-proxy
 * (node's HTTP client, its IncomingMessage streams and socket bookkeeping are most of a Node proxy's
 * own CPU), which is the room the edge needs for its own work (docs/decisions/0013-undici-forwarder.md).
 */
export class UndiciForwarder implements RequestForwarder {
  private readonly endpoints = new WeakMap<UpstreamTarget, Endpoint>();
  private readonly pools = new Map<string, Pool>();
  /** For the rare request target undici refuses (see sendsAsIs). */
  private readonly nodeForwarder = new Forwarder();

  constructor(private readonly settings: PoolSettings) {}

  private endpointOf(upstream: UpstreamTarget): Endpoint {
    let endpoint = this.endpoints.get(upstream);
    if (!endpoint) {
      const { url } = upstream;
      // One pool per origin and connect timeout (the routes file may give upstreams their own).
      const key = `${url.origin} ${upstream.connectTimeoutMs}`;
      let pool = this.pools.get(key);
      if (!pool) {
        pool = new Pool(url.origin, {
          connections: this.settings.maxSockets,
          pipelining: 1,
          keepAliveTimeout: this.settings.idleSocketMs,
          keepAliveMaxTimeout: this.settings.idleSocketMs,
          connect: { timeout: upstream.connectTimeoutMs },
        });
        this.pools.set(key, pool);
      }
      endpoint = { pool, host: url.host, basePath: url.pathname === '/' ? '' : url.pathname };
      this.endpoints.set(upstream, endpoint);
    }
    return endpoint;
  }

  attempt(spec: AttemptSpec): Promise<AttemptOutcome> {
    const endpoint = this.endpointOf(spec.upstream);
    const path = upstreamPath(endpoint.basePath, spec.req.url ?? '');
    if (!sendsAsIs(path)) return this.nodeForwarder.attempt(spec);
    return new Promise((resolve) => {
      const { req, res, upstream, body } = spec;
      if (res.destroyed || req.socket.destroyed) {
        resolve({ kind: 'client-gone' });
        return;
      }
      let settled = false;
      let responded = false;
      let connected = false;
      let refused = false;
      let clientGone = false;
      let abortUpstream: ((error?: Error) => void) | undefined;
      let capture: ResponseCapture | undefined;
      let headers: ResponseHeaders | undefined;
      let status = 0;
      // The response timeout: the longest silence from the upstream once the request is on its way,
      // restarted while the request body is still being sent (a slow upload is not silence). A timer
      // of our own rather than undici's headersTimeout, whose coarse clock fires up to a second late.
      let responseTimer: NodeJS.Timeout | undefined;
      let responseTimedOut = false;
      const settle = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(responseTimer);
        resolve(outcome);
      };
      const finished = (completed: boolean) =>
        settle({
          kind: 'responded',
          response: { status, headers: headers ?? {}, completed, captured: capture ? { body: capture.body(), truncated: capture.truncated } : undefined },
        });
      const leave = () => {
        clientGone = true;
        abortUpstream?.(new Error('the client went away'));
      };
      // Left in place once settled (res is this request's alone): it then does nothing.
      res.on('close', () => {
        if (settled || responded) return;
        leave();
        settle({ kind: 'client-gone' });
      });
      req.on('aborted', leave);

      // A body is held back until the connection is up (see RequestBody); no body, nothing to hold.
      const gate = body.present ? new PassThrough() : null;
      let bodyOpened = false;
      const names = Object.keys(spec.headers);
      const lines: string[] = [];
      // The end-to-end headers in the order the node:http forwarder writes them (http-proxy's header
      // copy walks the names backwards), then Host. undici writes `host` and `connection` first and the
      // framing last whatever the order given; it frames a body of unknown length as chunked
      // itself (and refuses a transfer-encoding header).
      if (body.present && body.length !== undefined) lines.push('content-length', String(body.length));
      for (let i = names.length - 1; i >= 0; i -= 1) {
        const value = spec.headers[names[i]!]!;
        if (Array.isArray(value)) for (const one of value) lines.push(names[i]!, one);
        else lines.push(names[i]!, value);
      }
      lines.push('host', endpoint.host);

      const handler: Dispatcher.DispatchHandler = {
        onConnect: (abort) => {
          abortUpstream = abort;
          if (clientGone) {
            abort(new Error('the client went away'));
            return;
          }
          connected = true;
          responseTimer = setTimeout(() => {
            responseTimedOut = true;
            abort(new Error('response timed out'));
          }, upstream.responseTimeoutMs);
          if (gate && !bodyOpened) {
            bodyOpened = true;
            body.open().pipe(gate);
          }
        },
        onBodySent: () => {
          responseTimer?.refresh();
        },
        onHeaders: (statusCode, rawHeaders, resume, statusText) => {
          if (statusCode < 200) return true; // 1xx: the final answer follows
          clearTimeout(responseTimer);
          if (settled) {
            abortUpstream?.(new Error('the attempt is over'));
            return false;
          }
          status = statusCode;
          if (spec.refuseStatus?.(statusCode)) {
            refused = true;
            settle({ kind: 'failed', failure: { kind: 'reset', requestSent: true, code: `HTTP_${statusCode}`, message: `upstream answered ${statusCode}` } });
            return true; // read and discard it, so the connection can be reused
          }
          capture = spec.captureBytes !== undefined ? new ResponseCapture(spec.captureBytes) : undefined;
          const raw = new Array<string>(rawHeaders.length);
          for (let i = 0; i < rawHeaders.length; i += 1) raw[i] = rawHeaders[i]!.toString('latin1');
          try {
            headers = copyResponseHead(res, raw, spec.extraResponseHeaders, capture !== undefined);
          } catch (error) {
            // A head node's client accepted but its server refuses to repeat: nothing was sent yet.
            clearResponseHead(res);
            abortUpstream?.(error as Error);
            settle({ kind: 'failed', failure: { kind: 'reset', requestSent: true, code: 'EBADHEADER', message: (error as Error).message } });
            return false;
          }
          responded = true;
          spec.onResponseHead?.(statusCode);
          res.writeHead(statusCode, statusText || undefined);
          res.on('drain', resume);
          res.on('finish', () => finished(true));
          res.on('close', () => {
            if (res.writableFinished) return;
            abortUpstream?.(new Error('the client went away'));
            finished(false);
          });
          return true;
        },
        onData: (chunk) => {
          if (refused || !responded) return true;
          capture?.add(chunk);
          return res.write(chunk);
        },
        onComplete: () => {
          if (responded) res.end();
        },
        onError: (error) => {
          if (refused) return;
          if (responded) {
            // Broken off mid-body: the client's response cannot be completed.
            res.destroy();
            finished(false);
            return;
          }
          if (clientGone || req.socket.destroyed) {
            settle({ kind: 'client-gone' });
            return;
          }
          const code = (error as NodeJS.ErrnoException).code;
          const timedOut = responseTimedOut ? 'response' : code === UNDICI_CONNECT_TIMEOUT ? 'connect' : undefined;
          settle({ kind: 'failed', failure: classifyUpstreamError(error, { connected, timedOut }) });
        },
      };
      // As with node:http: a client that aborts its upload aborts the upstream request.
      req.on('error', leave);
      endpoint.pool.dispatch(
        {
          path,
          method: req.method ?? 'GET',
          headers: lines,
          body: gate,
          headersTimeout: 0,
          bodyTimeout: 0,
          // Never retried by undici: whether a request may go elsewhere is the edge's decision.
          idempotent: false,
        },
        handler,
      );
    });
  }

  /** Closes the pools' idle connections and refuses new requests. */
  close(): void {
    for (const pool of this.pools.values()) void pool.destroy().catch(() => undefined);
    this.pools.clear();
  }
}
