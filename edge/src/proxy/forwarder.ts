import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { AppError } from '@strangler/kit';
import { AttemptDeadlines, type AttemptLimits, type Expiry } from './attempt-deadlines';
import { BodyDeadlineError } from './body-arrival';
import { withFraming, type HeaderRecord } from './outgoing-headers';
import type { RequestBody } from './request-body';
import { ResponseCapture } from './response-capture';
import { clearResponseHead, copyResponseHead, type ResponseHeaders } from './response-head';
import { classifyUpstreamError, queueTimeout, type UpstreamFailure } from './upstream-errors';
import { upstreamPath } from './upstream-path';
import { requestErrors } from '../http/request-errors';

export interface UpstreamTarget {
  url: URL;
  agent: Agent;
  connectTimeoutMs: number;
  /** The other limits of a call (see attempt-deadlines.ts); `responseMs` is the routes file's response timeout. */
  limits: AttemptLimits;
}

export interface AttemptSpec {
  req: IncomingMessage;
  res: ServerResponse;
  upstream: UpstreamTarget;
  /** The canonical request-target (path and query, see http/request-target.ts); a base path is prefixed here. */
  target: string;
  /** End-to-end request headers (see outgoing-headers.ts); framing is added here. */
  headers: HeaderRecord;
  body: RequestBody;
  /** Response headers the edge adds (x-strangler-target). */
  extraResponseHeaders: Record<string, string>;
  /** Keep the first bytes of the response body (for the shadow comparison). */
  captureBytes?: number;
  /** A shorter limit for the whole call than the upstream's (a breaker's probe). */
  totalTimeoutMs?: number;
  /** Called when the upstream's response head arrives, before the client sees anything. */
  onResponseHead?(status: number): void;
  /** Statuses to treat as a failed attempt rather than the answer (the caller may try elsewhere). */
  refuseStatus?(status: number): boolean;
}

export interface ForwardedResponse {
  status: number;
  /** The end-to-end response headers, kept when the body is captured (captureBytes), else empty. */
  headers: Record<string, string | string[]>;
  /** The client got the whole body (false if either side broke off mid-stream). */
  completed: boolean;
  /** When not completed: who broke off (the upstream failed or stalled, or the client left). */
  brokenBy?: 'upstream' | 'client';
  captured: { body: Buffer; truncated: boolean } | undefined;
}

/** Forwards one attempt of a request to one upstream: node:http (`Forwarder`) or undici (`UndiciForwarder`). */
export interface RequestForwarder {
  attempt(spec: AttemptSpec): Promise<AttemptOutcome>;
  /** Requests waiting for a free connection to this origin right now (an exhausted pool has some). */
  queued(origin: string): number;
  close(): void;
}

export type AttemptOutcome =
  | { kind: 'responded'; response: ForwardedResponse }
  | { kind: 'failed'; failure: UpstreamFailure }
  /** The client's own request failed (its body came too slowly): `error` is its answer; nothing to fall back on. */
  | { kind: 'client-error'; error: AppError }
  | { kind: 'client-gone' };

/** The limits of one attempt: the upstream's, the whole call capped by the spec (a probe). */
export function limitsOf(spec: AttemptSpec): AttemptLimits {
  const { limits } = spec.upstream;
  if (spec.totalTimeoutMs === undefined || spec.totalTimeoutMs >= limits.totalMs) return limits;
  return { ...limits, totalMs: spec.totalTimeoutMs, responseMs: Math.min(limits.responseMs, spec.totalTimeoutMs) };
}

/**
 * What an expired deadline before the response head means: the queue (nothing sent: the pool was
 * full), the client's body still arriving when the whole call ran out (the client's slowness), or the
 * upstream's silence (a timeout).
 */
export function expiredBeforeHead(expiry: Expiry, spec: AttemptSpec): AttemptOutcome {
  if (expiry === 'queue') return { kind: 'failed', failure: queueTimeout(spec.upstream.limits.queueMs) };
  if (expiry === 'total' && !spec.body.complete) return { kind: 'client-error', error: requestErrors.bodyTimeout() };
  return { kind: 'failed', failure: classifyUpstreamError(new Error(`${expiry} deadline`), { connected: true, timedOut: 'response' }) };
}

/** The client's failure carried by an error from its body stream, if that is what it is. */
export function bodyFailure(error: unknown): AttemptOutcome | undefined {
  return error instanceof BodyDeadlineError ? { kind: 'client-error', error: error.problem } : undefined;
}

/** Where one upstream is, as the request options need it: parsed once per URL. */
interface Endpoint {
  request: typeof httpRequest;
  /** For https: what http-proxy set (`rejectUnauthorized: true`), so TLS checks stay as they were. */
  tls: boolean;
  hostname: string;
  port: string | number;
  /** The Host header: the upstream's `host` (with the port unless it is the default). */
  host: string;
  /** A base path in the upstream URL (`http://legacy:8080/legacy`), prefixed to every request path. */
  basePath: string;
}

const endpoints = new WeakMap<URL, Endpoint>();
/** Methods node does not frame with chunked encoding by default (`useChunkedEncodingByDefault` false). */
const BODILESS_BY_DEFAULT = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

function endpointOf(url: URL): Endpoint {
  let endpoint = endpoints.get(url);
  if (!endpoint) {
    const tls = url.protocol === 'https:';
    endpoint = {
      request: tls ? httpsRequest : httpRequest,
      tls,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || (tls ? 443 : 80),
      host: url.host,
      basePath: url.pathname === '/' ? '' : url.pathname,
    };
    endpoints.set(url, endpoint);
  }
  return endpoint;
}

/**
 * Forwards one attempt of a request to one upstream with node:http, and reports how it ended without
 * ever answering the client itself on failure: before a response starts, the caller still decides
 * (fall back to the monolith, or a problem response). Bodies stream both ways; nothing is parsed.
 *
 * This is what http-proxy 1.18.1's web pass did for the edge's options (selfHandleResponse,
 * changeOrigin, no xfwd, its deleteLength pass removed), written out: the same request options, path
 * (upstream-path.ts), Host header, listeners and error routing, without its per-request option copying,
 * pass loop, event emitter round trips and URL parsing (docs/decisions/0010-edge-hot-path.md).
 */
export class Forwarder implements RequestForwarder {
  private readonly agents = new Set<Agent>();

  attempt(spec: AttemptSpec): Promise<AttemptOutcome> {
    return new Promise((resolve) => {
      const { req, res, upstream, body } = spec;
      if (res.destroyed || req.socket.destroyed) {
        resolve({ kind: 'client-gone' });
        return;
      }
      let settled = false;
      let responded = false;
      let connected = false;
      // The upstream request is only torn down by the client leaving once it has its socket (as before
      // with http-proxy, whose request the edge only saw from then on).
      let socketAssigned = false;
      let timedOut: 'connect' | 'response' | undefined;
      let connectTimer: NodeJS.Timeout | undefined;
      let expired: Expiry | undefined;
      // A body is held back until the connection is up (see RequestBody); no body, nothing to hold.
      const gate = body.present ? new PassThrough() : undefined;

      let proxyRes: IncomingMessage | undefined;
      let finished: ((completed: boolean, brokenBy?: 'upstream' | 'client') => void) | undefined;
      const deadlines = new AttemptDeadlines(limitsOf(spec), (expiry) => {
        expired = expiry;
        if (responded) {
          // The answer started and then stalled (or ran out of time): the client's copy cannot be completed.
          proxyRes?.destroy();
          res.destroy();
          finished?.(false, 'upstream');
          return;
        }
        settle(expiredBeforeHead(expiry, spec));
        proxyReq.destroy();
      });

      const settle = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        deadlines.done();
        resolve(outcome);
      };
      this.agents.add(upstream.agent);
      // Left in place once settled (res is this request's alone): it then does nothing.
      res.on('close', () => {
        if (settled || responded) return;
        if (socketAssigned) proxyReq.destroy();
        settle({ kind: 'client-gone' });
      });

      const onConnected = () => {
        clearTimeout(connectTimer);
        connected = true;
        deadlines.connected();
        if (gate) body.sendTo(gate);
      };

      const onResponse = (response: IncomingMessage) => {
        if (settled) {
          response.destroy();
          return;
        }
        proxyRes = response;
        const status = response.statusCode ?? 502;
        if (spec.refuseStatus?.(status)) {
          response.resume();
          settle({ kind: 'failed', failure: { kind: 'reset', requestSent: true, code: `HTTP_${status}`, message: `upstream answered ${status}` } });
          return;
        }
        const capture = spec.captureBytes !== undefined ? new ResponseCapture(spec.captureBytes) : undefined;
        let headers: ResponseHeaders;
        try {
          headers = copyResponseHead(res, response.rawHeaders, spec.extraResponseHeaders, capture !== undefined);
        } catch (error) {
          // A head node's client accepted but its server refuses to repeat: nothing was sent yet.
          clearResponseHead(res);
          response.destroy();
          settle({ kind: 'failed', failure: { kind: 'reset', requestSent: true, code: 'EBADHEADER', message: (error as Error).message } });
          return;
        }
        responded = true;
        deadlines.responding();
        spec.onResponseHead?.(status);
        res.writeHead(status, response.statusMessage);
        capture?.attach(response);
        finished = (completed: boolean, brokenBy?: 'upstream' | 'client') =>
          settle({
            kind: 'responded',
            response: { status, headers, completed, ...(brokenBy ? { brokenBy } : {}), captured: capture ? { body: capture.body(), truncated: capture.truncated } : undefined },
          });
        // The body streams through as pipe() would move it (write, pause on backpressure, resume on
        // drain, end), with explicit teardown when either side breaks off; neither pipe() (a dozen
        // listeners set up and torn down per response) nor stream.pipeline() (an AbortController and
        // DOMException per call) is needed for one source and one destination.
        const resume = () => {
          deadlines.heldByClient(false);
          response.resume();
        };
        response.on('data', (chunk: Buffer) => {
          deadlines.progress();
          if (res.write(chunk)) return;
          deadlines.heldByClient(true);
          response.pause();
          res.once('drain', resume);
        });
        response.on('end', () => res.end());
        res.on('finish', () => finished!(true));
        res.on('close', () => {
          if (res.writableFinished) return;
          response.destroy();
          finished!(false, expired ? 'upstream' : 'client');
        });
        response.on('close', () => {
          if (response.complete) return;
          res.destroy();
          finished!(false, 'upstream');
        });
      };

      const endpoint = endpointOf(upstream.url);
      // The end-to-end headers and this attempt's framing, then Host, in the order http-proxy wrote them
      // (its header copy, util._extend, walks the names backwards).
      const framed = withFraming(spec.headers, body);
      const names = Object.keys(framed);
      let headers: HeaderRecord | string[];
      if (!body.present && !endpoint.tls && BODILESS_BY_DEFAULT.has(req.method ?? '')) {
        // The same lines given as a list: node writes the head at once instead of storing each header
        // first. Only where nothing later could change the head (no body framing to settle at end(), no
        // TLS server name read from the Host header); the wire bytes are the same (a test compares).
        headers = [];
        for (let i = names.length - 1; i >= 0; i -= 1) {
          const value = framed[names[i]!]!;
          if (Array.isArray(value)) for (const one of value) headers.push(names[i]!, one);
          else headers.push(names[i]!, value);
        }
        headers.push('host', endpoint.host);
      } else {
        headers = {};
        for (let i = names.length - 1; i >= 0; i -= 1) headers[names[i]!] = framed[names[i]!]!;
        headers.host = endpoint.host;
      }
      const options: RequestOptions & { rejectUnauthorized?: boolean } = {
        hostname: endpoint.hostname,
        port: endpoint.port,
        method: req.method,
        path: upstreamPath(endpoint.basePath, spec.target),
        headers,
        agent: upstream.agent,
      };
      if (endpoint.tls) options.rejectUnauthorized = true;
      const proxyReq: ClientRequest = endpoint.request(options);

      proxyReq.on('socket', (socket: Socket) => {
        socketAssigned = true;
        if (socket.connecting) {
          connectTimer = setTimeout(() => {
            timedOut = 'connect';
            proxyReq.destroy();
          }, upstream.connectTimeoutMs);
          socket.once('connect', onConnected);
        } else {
          onConnected();
        }
      });
      // As http-proxy did: a client that aborts its upload aborts the upstream request; errors of either
      // request end the attempt (a client reset after its socket is gone just stops the upstream call).
      req.on('aborted', () => proxyReq.destroy());
      const onError = (error: NodeJS.ErrnoException) => {
        if (req.socket.destroyed && error.code === 'ECONNRESET') {
          proxyReq.destroy();
          return;
        }
        if (responded) return;
        const clientFailure = bodyFailure(error);
        if (clientFailure) {
          proxyReq.destroy();
          return settle(clientFailure);
        }
        if (req.socket.destroyed) return settle({ kind: 'client-gone' });
        settle({ kind: 'failed', failure: classifyUpstreamError(error, { connected, timedOut }) });
      };
      req.on('error', onError);
      proxyReq.on('error', onError);
      proxyReq.on('response', onResponse);
      if (gate) {
        gate.on('error', onError);
        gate.on('data', () => deadlines.progress());
        gate.pipe(proxyReq);
      } else {
        proxyReq.end();
      }
    });
  }

  queued(origin: string): number {
    const endpoint = endpointOf(new URL(origin));
    // An agent names its queues host:port:localAddress[:family] (node's Agent.getName).
    const prefix = `${endpoint.hostname}:${endpoint.port}:`;
    let waiting = 0;
    for (const agent of this.agents) {
      for (const name in agent.requests) if (name.startsWith(prefix)) waiting += agent.requests[name]?.length ?? 0;
    }
    return waiting;
  }

  /** Nothing to release: connections belong to the upstream agents. */
  close(): void {
    this.agents.clear();
  }
}
