import type { ServerResponse } from 'node:http';
import { hopByHopOfResponse } from './hop-by-hop';

export type ResponseHeaders = Record<string, string | string[]>;

const NOT_KEPT: ResponseHeaders = Object.freeze({});

/**
 * Puts an upstream's response headers (raw: name, value, name, value…) on the client's response:
 * end-to-end ones only (see hop-by-hop.ts), names lower-cased. The first line of a name replaces what
 * the edge set (an upstream's own x-request-id wins); later lines of the same name are added as
 * separate lines (several Set-Cookie). Then the edge's own (`extra`). Returns the headers as set when
 * `keep` (for the shadow comparison), else an empty record. Throws when node refuses a header (nothing
 * has been sent then).
 */
export function copyResponseHead(res: ServerResponse, raw: readonly string[], extra: Record<string, string>, keep: boolean): ResponseHeaders {
  const headers: ResponseHeaders = keep ? {} : NOT_KEPT;
  const dropped = hopByHopOfResponse(raw as string[]);
  let set: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (dropped.has(name)) continue;
    const value = raw[i + 1]!;
    if (set === undefined || !set.includes(name)) {
      (set ??= []).push(name);
      res.setHeader(name, value);
      if (keep) headers[name] = value;
    } else {
      res.appendHeader(name, value);
      if (keep) {
        const previous = headers[name]!;
        headers[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
      }
    }
  }
  for (const name in extra) res.setHeader(name, extra[name]!);
  return headers;
}

/** Undoes copyResponseHead after a refused header: the client's response carries only its request id. */
export function clearResponseHead(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) if (name !== 'x-request-id') res.removeHeader(name);
}
