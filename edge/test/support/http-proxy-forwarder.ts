/**
 * The edge's forwarder as it was on http-proxy 1.18.1, before docs/decisions/0010-edge-hot-path.md
 * replaced it with node:http, kept verbatim (imports aside) so a test can show the replacement sends
 * and answers exactly the same bytes.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import httpProxy from 'http-proxy';
import { endToEndResponseHeaders } from '../../src/proxy/hop-by-hop';
import { withFraming } from '../../src/proxy/outgoing-headers';
import type { AttemptOutcome, AttemptSpec } from '../../src/proxy/forwarder';
import { ResponseCapture } from '../../src/proxy/response-capture';
import { classifyUpstreamError } from '../../src/proxy/upstream-errors';

interface AttemptHooks {
  onProxyReq(proxyReq: ClientRequest): void;
}

/** A string key: http-proxy copies per-call options with Object.keys, which skips symbols. */
const HOOKS = '__edgeAttemptHooks';

/**
 * Forwards one attempt of a request to one upstream with http-proxy, and reports how it ended without
 * ever answering the client itself on failure: before a response starts, the caller still decides
 * (fall back to the monolith, or a problem response). Bodies stream both ways; nothing is parsed.
 */
export class HttpProxyForwarder {
  private readonly proxy = httpProxy.createProxyServer({ selfHandleResponse: true, changeOrigin: true, xfwd: false, ws: false });

  constructor() {
    // http-proxy forces `content-length: 0` on a DELETE/OPTIONS without one, which would cut off a
    // chunked body; the edge frames every attempt itself (withFraming), so that pass must not run.
    const passes = (this.proxy as unknown as { webPasses: Array<{ name: string }> }).webPasses;
    passes.splice(0, passes.length, ...passes.filter((pass) => pass.name !== 'deleteLength'));
    this.proxy.on('proxyReq', (proxyReq, _req, _res, options) => {
      (options as { [HOOKS]?: AttemptHooks })[HOOKS]?.onProxyReq(proxyReq);
    });
    // Every call passes its own callback, so this only guards against an unexpected emit.
    this.proxy.on('error', () => undefined);
  }

  attempt(spec: AttemptSpec): Promise<AttemptOutcome> {
    return new Promise((resolve) => {
      const { req, res, upstream, body } = spec;
      let settled = false;
      let responded = false;
      let connected = false;
      let timedOut: 'connect' | 'response' | undefined;
      let connectTimer: NodeJS.Timeout | undefined;
      let proxyReq: ClientRequest | undefined;
      // A body is held back until the connection is up (see RequestBody); no body, nothing to hold.
      const gate = body.present ? new PassThrough() : undefined;

      const settle = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        res.off('close', onClientClose);
        resolve(outcome);
      };
      if (res.destroyed || req.socket.destroyed) {
        resolve({ kind: 'client-gone' });
        return;
      }
      const onClientClose = () => {
        if (responded) return;
        proxyReq?.destroy();
        settle({ kind: 'client-gone' });
      };
      res.on('close', onClientClose);

      const onConnected = () => {
        clearTimeout(connectTimer);
        connected = true;
        proxyReq?.setTimeout(upstream.limits.responseMs, () => {
          timedOut = 'response';
          proxyReq?.destroy();
        });
        if (gate) body.sendTo(gate);
      };

      const onResponse = (proxyRes: IncomingMessage) => {
        if (settled) {
          proxyRes.destroy();
          return;
        }
        proxyReq?.setTimeout(0);
        const status = proxyRes.statusCode ?? 502;
        if (spec.refuseStatus?.(status)) {
          proxyRes.resume();
          settle({ kind: 'failed', failure: { kind: 'reset', requestSent: true, code: `HTTP_${status}`, message: `upstream answered ${status}` } });
          return;
        }
        const headers: Record<string, string | string[]> = {};
        try {
          for (const [name, values] of endToEndResponseHeaders(proxyRes.rawHeaders)) {
            headers[name] = values.length === 1 ? values[0]! : values;
            res.setHeader(name, headers[name]!);
          }
          for (const [name, value] of Object.entries(spec.extraResponseHeaders)) res.setHeader(name, value);
        } catch (error) {
          // A head node's client accepted but its server refuses to repeat: nothing was sent yet.
          for (const name of res.getHeaderNames()) if (name !== 'x-request-id') res.removeHeader(name);
          proxyRes.destroy();
          settle({ kind: 'failed', failure: { kind: 'reset', requestSent: true, code: 'EBADHEADER', message: (error as Error).message } });
          return;
        }
        responded = true;
        spec.onResponseHead?.(status);
        res.writeHead(status, proxyRes.statusMessage);
        const capture = spec.captureBytes !== undefined ? new ResponseCapture(spec.captureBytes) : undefined;
        capture?.attach(proxyRes);
        const finished = (completed: boolean) =>
          settle({
            kind: 'responded',
            response: { status, headers, completed, captured: capture ? { body: capture.body(), truncated: capture.truncated } : undefined },
          });
        // pipe() plus explicit teardown rather than stream.pipeline(): same semantics here, without the
        // AbortController (and DOMException) pipeline() makes per call, which showed in the profile.
        proxyRes.pipe(res);
        res.once('finish', () => finished(true));
        res.once('close', () => {
          if (res.writableFinished) return;
          proxyRes.destroy();
          finished(false);
        });
        proxyRes.once('close', () => {
          if (proxyRes.complete) return;
          res.destroy();
          finished(false);
        });
      };

      const hooks: AttemptHooks = {
        onProxyReq(request) {
          proxyReq = request;
          request.on('response', onResponse);
          const socket = request.socket as Socket | null;
          if (socket?.connecting) {
            connectTimer = setTimeout(() => {
              timedOut = 'connect';
              request.destroy();
            }, upstream.connectTimeoutMs);
            socket.once('connect', onConnected);
          } else {
            onConnected();
          }
        },
      };

      const options = {
        target: proxyTarget(upstream.url),
        agent: upstream.agent,
        buffer: gate ?? new PassThrough().end(),
        [HOOKS]: hooks,
      } as httpProxy.ServerOptions;
      // http-proxy copies `req.headers` into the upstream request synchronously inside web(); give it
      // exactly the end-to-end headers for this attempt, then restore the client's own.
      const clientHeaders = req.headers;
      req.headers = withFraming(spec.headers, body) as IncomingMessage['headers'];
      try {
        this.proxy.web(req, res, options, (error) => {
          if (responded) return;
          // http-proxy also reports errors of the client's own request stream here.
          if (req.socket.destroyed) return settle({ kind: 'client-gone' });
          settle({ kind: 'failed', failure: classifyUpstreamError(error, { connected, timedOut }) });
        });
      } finally {
        req.headers = clientHeaders;
      }
    });
  }

  close(): void {
    this.proxy.close();
  }
}

/** The url.parse-shaped target http-proxy reads (host parts and a base path), built from a WHATWG URL. */
function proxyTarget(url: URL): httpProxy.ProxyTargetUrl {
  return {
    protocol: url.protocol,
    host: url.host,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port,
    path: url.pathname === '/' ? '' : url.pathname,
  } as unknown as httpProxy.ProxyTargetUrl;
}
