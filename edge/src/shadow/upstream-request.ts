import { request as httpRequest, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CapturedResponse } from './shadow-types';

export interface UpstreamCall {
  baseUrl: string;
  method: string;
  /** path + query, starting with `/` */
  url: string;
  headers: Record<string, string | string[]>;
  agent: Agent;
  timeoutMs: number;
  maxBodyBytes: number;
  /** Sent as `x-shadow-request`, so an upstream can tell mirrored traffic from real (and not bill it). */
  shadowSide: string;
}

export type UpstreamResult = { ok: true; response: CapturedResponse } | { ok: false; error: string; latencyMs: number };

// Request headers never replayed: the upstream's own Host is set from its URL, there is no body to
// describe, and asking for identity encoding keeps mirrored bodies comparable without decompression.
const DROPPED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'accept-encoding', 'expect', 'connection', 'keep-alive', 'upgrade']);

export function targetUrl(baseUrl: string, pathAndQuery: string): URL {
  return new URL(`${baseUrl.replace(/\/+$/, '')}${pathAndQuery}`);
}

function forwardHeaders(call: UpstreamCall): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(call.headers)) {
    if (!DROPPED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  headers['accept-encoding'] = 'identity';
  headers['x-shadow-request'] = call.shadowSide;
  return headers;
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const flat: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = value;
  return flat;
}

/**
 * One mirrored request. Resolves, never rejects: connection errors, resets and the deadline (which
 * covers the whole exchange, body included) come back as `{ ok: false }`. The body is kept up to
 * maxBodyBytes; the rest is read and discarded so a keep-alive socket stays reusable.
 */
export function callUpstream(call: UpstreamCall): Promise<UpstreamResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  return new Promise<UpstreamResult>((resolve) => {
    let settled = false;
    const finish = (result: UpstreamResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    let target: URL;
    try {
      target = targetUrl(call.baseUrl, call.url);
    } catch (error) {
      resolve({ ok: false, error: `bad upstream url: ${(error as Error).message}`, latencyMs: 0 });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: call.method, headers: forwardHeaders(call), agent: call.agent });
    const deadline = setTimeout(() => {
      finish({ ok: false, error: `timeout after ${call.timeoutMs} ms`, latencyMs: elapsed() });
      req.destroy();
    }, call.timeoutMs);
    req.on('error', (error) => finish({ ok: false, error: error.message, latencyMs: elapsed() }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (kept >= call.maxBodyBytes) {
          truncated = true;
          return;
        }
        const room = call.maxBodyBytes - kept;
        if (chunk.length > room) truncated = true;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        chunks.push(part);
        kept += part.length;
      });
      res.on('error', (error) => finish({ ok: false, error: error.message, latencyMs: elapsed() }));
      res.on('close', () => {
        if (!res.complete) finish({ ok: false, error: 'response cut short', latencyMs: elapsed() });
      });
      res.on('end', () =>
        finish({
          ok: true,
          response: {
            status: res.statusCode ?? 0,
            headers: flattenHeaders(res.headers),
            body: Buffer.concat(chunks),
            truncated,
            latencyMs: elapsed(),
          },
        }),
      );
    });
    req.end();
  });
}
