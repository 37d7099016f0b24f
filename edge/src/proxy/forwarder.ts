import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { withFraming, type HeaderRecord } from './outgoing-headers';
import type { RequestBody } from './request-body';
import { ResponseCapture } from './response-capture';
import { clearResponseHead, copyResponseHead, type ResponseHeaders } from './response-head';
import { classifyUpstreamError, type UpstreamFailure } from './upstream-errors';
import { upstreamPath } from './upstream-path';

export interface UpstreamTarget {
  url: URL;
  agent: Agent;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
}

export interface AttemptSpec {
  req: IncomingMessage;
  res: ServerResponse;
  upstream: UpstreamTarget;
  /** End-to-end request headers (see outgoing-headers.ts); framing is added here. */
  headers: HeaderRecord;
  body: RequestBody;
  /** Response headers the edge adds (x-strangler-target). */
  extraResponseHeaders: Record<string, string>;
  /** Keep the first bytes of the response body (for the shadow comparison). */
  captureBytes?: number;
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
  captured: { body: Buffer; truncated: boolean } | undefined;
}

/** Forwards one attempt of a request to one upstream: node:http (`Forwarder`) or undici (`UndiciForwarder`). */
export interface RequestForwarder {
  attempt(spec: AttemptSpec): Promise<AttemptOutcome>;
  close(): void;
}

export type AttemptOutcome =
  | { kind: 'responded'; response: ForwardedResponse }
  | { kind: 'failed'; failure: UpstreamFailure }
  | { kind: 'client-gone' };

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
  attempt(spec: AttemptSpec): Promise<AttemptOutcome> {
    return new Promise((resolve) => {
      const { req, res, upstream, body } = spec;
      let settled = false;
      let responded = false;
      let connected = false;
      // The upstream request is only torn down by the client leaving once it has its socket (as before
      // with http-proxy, whose request the edge only saw from then on).
      let socketAssigned = false;
      let timedOut: 'connect' | 'response' | undefined;
      let connectTimer: NodeJS.Timeout | undefined;
      // A body is held back until the connection is up (see RequestBody); no body, nothing to hold.
      const gate = body.present ? new PassThrough() : undefined;

      const settle = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        resolve(outcome);
      };
      if (res.destroyed || req.socket.destroyed) {
        resolve({ kind: 'client-gone' });
        return;
      }
      // Left in place once settled (res is this request's alone): it then does nothing.
      res.on('close', () => {
        if (settled || responded) return;
        if (socketAssigned) proxyReq.destroy();
        settle({ kind: 'client-gone' });
      });

      const onConnected = () => {
        clearTimeout(connectTimer);
        connected = true;
        proxyReq.setTimeout(upstream.responseTimeoutMs, () => {
          timedOut = 'response';
          proxyReq.destroy();
        });
        if (gate) body.open().pipe(gate);
      };

      const onResponse = (proxyRes: IncomingMessage) => {
        if (settled) {
          proxyRes.destroy();
          return;
        }
        proxyReq.setTimeout(0);
        const status = proxyRes.statusCode ?? 502;
        if (spec.refuseStatus?.(status)) {
          proxyRes.resume();
          settle({ kind: 'failed', failure: { kind: 'reset', requestSent: true, code: `HTTP_${status}`, message: `upstream answered ${status}` } });
          return;
        }
        const capture = spec.captureBytes !== undefined ? new ResponseCapture(spec.captureBytes) : undefined;
        let headers: ResponseHeaders;
        try {
          headers = copyResponseHead(res, proxyRes.rawHeaders, spec.extraResponseHeaders, capture !== undefined);
        } catch (error) {
          // A head node's client accepted but its server refuses to repeat: nothing was sent yet.
          clearResponseHead(res);
          proxyRes.destroy();
          settle({ kind: 'failed', failure: { kind: 'reset', requestSent: true, code: 'EBADHEADER', message: (error as Error).message } });
          return;
        }
        responded = true;
        spec.onResponseHead?.(status);
        res.writeHead(status, proxyRes.statusMessage);
        capture?.attach(proxyRes);
        const finished = (completed: boolean) =>
          settle({
            kind: 'responded',
            response: { status, headers, completed, captured: capture ? { body: capture.body(), truncated: capture.truncated } : undefined },
          });
        // The body streams through as pipe() would move it (write, pause on backpressure, resume on
        // drain, end), with explicit teardown when either side breaks off; neither pipe() (a dozen
        // listeners set up and torn down per response) nor stream.pipeline() (an AbortController and
        // DOMException per call) is needed for one source and one destination.
        const resume = () => proxyRes.resume();
        proxyRes.on('data', (chunk: Buffer) => {
          if (res.write(chunk)) return;
          proxyRes.pause();
          res.once('drain', resume);
        });
        proxyRes.on('end', () => res.end());
        res.on('finish', () => finished(true));
        res.on('close', () => {
          if (res.writableFinished) return;
          proxyRes.destroy();
          finished(false);
        });
        proxyRes.on('close', () => {
          if (proxyRes.complete) return;
          res.destroy();
          finished(false);
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
        path: upstreamPath(endpoint.basePath, req.url ?? ''),
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
      req.on('aborted', () => proxyReq.abort());
      const onError = (error: NodeJS.ErrnoException) => {
        if (req.socket.destroyed && error.code === 'ECONNRESET') {
          proxyReq.abort();
          return;
        }
        if (responded) return;
        if (req.socket.destroyed) return settle({ kind: 'client-gone' });
        settle({ kind: 'failed', failure: classifyUpstreamError(error, { connected, timedOut }) });
      };
      req.on('error', onError);
      proxyReq.on('error', onError);
      proxyReq.on('response', onResponse);
      if (gate) gate.pipe(proxyReq);
      else proxyReq.end();
    });
  }

  /** Nothing to release: connections belong to the upstream agents. */
  close(): void {}
}
