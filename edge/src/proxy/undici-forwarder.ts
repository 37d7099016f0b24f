import { PassThrough } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { AttemptDeadlines, type Expiry } from './attempt-deadlines';
import {
  bodyFailure,
  expiredBeforeHead,
  Forwarder,
  limitsOf,
  type AttemptOutcome,
  type AttemptSpec,
  type RequestForwarder,
  type UpstreamTarget,
} from './forwarder';
import { ResponseCapture } from './response-capture';
import { clearResponseHead, copyResponseHead, type ResponseHeaders } from './response-head';
import { classifyUpstreamError, type UpstreamFailure } from './upstream-errors';
import { upstreamPath } from './upstream-path';

export interface PoolSettings {
  /** Connections per upstream origin. */
  maxSockets: number;
  /** Idle keep-alive connections are closed after this; keep it below the upstreams' keep-alive timeout. */
  idleSocketMs: number;
}

/** Where one upstream is, as a request needs it: worked out once per target. */
interface Endpoint {
  pool: Pool;
  /** Every connection of the pool is up and busy: a request waiting now waits in the queue. */
  full(): boolean;
  /** The Host header: the upstream's `host` (with the port unless it is the default). */
  host: string;
  /** A base path in the upstream URL (`http://legacy:8080/legacy`), prefixed to every request path. */
  basePath: string;
}

/** Request targets undici refuses but HTTP allows, and node:http sends as given: `OPTIONS *`. */
const sendsAsIs = (path: string) => path[0] === '/';

const UNDICI_CONNECT_TIMEOUT = 'UND_ERR_CONNECT_TIMEOUT';

/** The response head as flat name/value lines, as the upstream sent them (undici's HTTP/1 client gives
 * them raw); rebuilt from the parsed object only if a dispatcher gave none. */
const rawHeaderLines = (raw: Dispatcher.DispatchController['rawHeaders'], parsed: IncomingHttpHeaders): string[] => {
  if (Array.isArray(raw)) {
    const lines = new Array<string>(raw.length);
    for (let i = 0; i < raw.length; i += 1) {
      const line = raw[i]!;
      lines[i] = typeof line === 'string' ? line : line.toString('latin1');
    }
    return lines;
  }
  const lines: string[] = [];
  for (const [name, value] of Object.entries(raw ?? parsed)) {
    if (Array.isArray(value)) for (const one of value) lines.push(name, one);
    else if (value !== undefined) lines.push(name, value);
  }
  return lines;
};

/** A request still waiting when the pool was not full was waiting for a new connection to come up. */
const connectTimedOut = (): UpstreamFailure => classifyUpstreamError(new Error('connect timed out'), { connected: false, timedOut: 'connect' });

/**
 * Forwards one attempt of a request to one upstream with undici (a keep-alive Pool per upstream), and
 * reports how it ended exactly as `Forwarder` (node:http) does: it never answers the client itself on
 * failure, so the caller can still fall back or answer with a problem. Bodies stream both ways with
 * backpressure; nothing is parsed. What goes to the upstream is the same request line, the same
 * end-to-end header lines in the same order and the same body; undici writes `host` and
 * `connection: keep-alive` first and the framing last, in lower case, and closes the connection after
 * a HEAD (`test/forwarder-equivalence.test.ts`). `OPTIONS *`, which undici refuses, goes through the
 * node:http forwarder.
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
      const owned = pool;
      const connections = this.settings.maxSockets;
      endpoint = {
        pool,
        full: () => {
          const stats = owned.stats;
          return stats.connected >= connections && stats.free === 0;
        },
        host: url.host,
        basePath: url.pathname === '/' ? '' : url.pathname,
      };
      this.endpoints.set(upstream, endpoint);
    }
    return endpoint;
  }

  attempt(spec: AttemptSpec): Promise<AttemptOutcome> {
    const endpoint = this.endpointOf(spec.upstream);
    const path = upstreamPath(endpoint.basePath, spec.target);
    if (!sendsAsIs(path)) return this.nodeForwarder.attempt(spec);
    return new Promise((resolve) => {
      const { req, res, body } = spec;
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
      let expired: Expiry | undefined;
      // Every limit of the call on one timer (attempt-deadlines.ts) rather than undici's
      // headersTimeout/bodyTimeout, whose coarse clock fires up to a second late.
      const deadlines = new AttemptDeadlines(limitsOf(spec), (expiry) => {
        expired = expiry;
        if (responded) {
          // The answer started and then stalled (or ran out of time): the client's copy cannot be completed.
          abortUpstream?.(new Error(`${expiry} deadline`));
          res.destroy();
          finished(false, 'upstream');
          return;
        }
        // Settled first: aborting reports an error to the handler at once.
        settle(expiry === 'queue' && !endpoint.full() ? { kind: 'failed', failure: connectTimedOut() } : expiredBeforeHead(expiry, spec));
        abandon(new Error(`${expiry} deadline`));
      });
      const settle = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        deadlines.done();
        resolve(outcome);
      };
      const finished = (completed: boolean, brokenBy?: 'upstream' | 'client') =>
        settle({
          kind: 'responded',
          response: {
            status,
            headers: headers ?? {},
            completed,
            ...(brokenBy ? { brokenBy } : {}),
            captured: capture ? { body: capture.body(), truncated: capture.truncated } : undefined,
          },
        });
      // Stops the upstream call: at once when it has a connection, else the moment it gets one.
      let abandoned = false;
      const abandon = (error: Error) => {
        abandoned = true;
        if (abortUpstream) abortUpstream(error);
        else gate?.destroy(error);
      };
      const leave = () => {
        clientGone = true;
        abandon(new Error('the client went away'));
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
      // Its errors reach undici (which aborts the request) and come back through onError; a gate
      // abandoned before undici took it must not throw them at the process.
      gate?.on('error', () => undefined);
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

      // undici's handler API (v2): the controller aborts, pauses and resumes the call, and carries the
      // response's raw header lines (names as the upstream spelled them, in its order).
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (controller) => {
          abortUpstream = (error) => controller.abort(error ?? new Error('the attempt is over'));
          if (abandoned || clientGone) {
            controller.abort(new Error('the attempt is over'));
            return;
          }
          connected = true;
          deadlines.connected();
          if (gate && !bodyOpened) {
            bodyOpened = true;
            body.sendTo(gate);
          }
        },
        onBodySent: () => {
          deadlines.progress();
        },
        onResponseStart: (controller, statusCode, parsed, statusText) => {
          if (statusCode < 200) return; // 1xx: the final answer follows
          if (settled) {
            controller.abort(new Error('the attempt is over'));
            return;
          }
          status = statusCode;
          if (spec.refuseStatus?.(statusCode)) {
            refused = true;
            settle({ kind: 'failed', failure: { kind: 'reset', requestSent: true, code: `HTTP_${statusCode}`, message: `upstream answered ${statusCode}` } });
            return; // read and discard it, so the connection can be reused
          }
          capture = spec.captureBytes !== undefined ? new ResponseCapture(spec.captureBytes) : undefined;
          const raw = rawHeaderLines(controller.rawHeaders, parsed);
          try {
            headers = copyResponseHead(res, raw, spec.extraResponseHeaders, capture !== undefined);
          } catch (error) {
            // A head node's client accepted but its server refuses to repeat: nothing was sent yet.
            clearResponseHead(res);
            settle({ kind: 'failed', failure: { kind: 'reset', requestSent: true, code: 'EBADHEADER', message: (error as Error).message } });
            controller.abort(error as Error);
            return;
          }
          responded = true;
          deadlines.responding();
          spec.onResponseHead?.(statusCode);
          res.writeHead(statusCode, statusText || undefined);
          res.on('drain', () => {
            deadlines.heldByClient(false);
            controller.resume();
          });
          res.on('finish', () => finished(true));
          res.on('close', () => {
            if (res.writableFinished) return;
            abortUpstream?.(new Error('the client went away'));
            finished(false, expired ? 'upstream' : 'client');
          });
        },
        onResponseData: (controller, chunk) => {
          if (refused || !responded) return;
          deadlines.progress();
          capture?.add(chunk);
          if (res.write(chunk)) return;
          deadlines.heldByClient(true);
          controller.pause();
        },
        onResponseEnd: () => {
          if (responded) res.end();
          else if (refused) deadlines.done();
        },
        onResponseError: (_controller, error) => {
          if (refused) return;
          if (responded) {
            // Broken off mid-body: the client's response cannot be completed.
            res.destroy();
            finished(false, clientGone ? 'client' : 'upstream');
            return;
          }
          const clientFailure = bodyFailure(error);
          if (clientFailure) return settle(clientFailure);
          if (clientGone || req.socket.destroyed) {
            settle({ kind: 'client-gone' });
            return;
          }
          const code = (error as NodeJS.ErrnoException).code;
          settle({ kind: 'failed', failure: classifyUpstreamError(error, { connected, timedOut: code === UNDICI_CONNECT_TIMEOUT ? 'connect' : undefined }) });
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

  queued(origin: string): number {
    let waiting = 0;
    for (const [key, pool] of this.pools) if (key.startsWith(`${origin} `)) waiting += pool.stats.queued;
    return waiting;
  }

  /** Closes the pools' idle connections and refuses new requests. */
  close(): void {
    for (const pool of this.pools.values()) void pool.destroy().catch(() => undefined);
    this.pools.clear();
  }
}
