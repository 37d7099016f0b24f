import type { IncomingHttpHeaders } from 'node:http';
import { isHarnessHeader } from '../http/request-header-rules';
import { hopByHopNames } from './hop-by-hop';

export type HeaderRecord = Record<string, string | string[]>;

export interface OutgoingFacts {
  /** X-Forwarded-For as the edge vouches for it (see http/client-address.ts). */
  forwardedFor: string;
  /** Whether the peer is a proxy we trust to have set X-Forwarded-Proto/-Host truthfully. */
  peerTrusted: boolean;
  /** The protocol the peer used to reach the edge. */
  protocol: 'http' | 'https';
  requestId: string;
  /** This edge's id, sent as EDGE_HOP_HEADER: a request that comes back with it is a loop. */
  hop?: string;
}

/** Set on every forwarded request (a harness header: a client's own is never passed on). */
export const EDGE_HOP_HEADER = 'x-strangler-edge-hop';

// Not hop-by-hop, but the edge owns them: Host becomes the upstream's, framing is set per attempt
// (a replayed body is re-framed), the edge already answered any Expect: 100-continue itself, and the
// forwarding headers are the edge's to write (a client's are never extended, only replaced).
const EDGE_OWNED = new Set(['host', 'content-length', 'transfer-encoding', 'expect', 'x-request-id', 'forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

const PROTOCOL = /^https?$/;
const HOST = /^[A-Za-z0-9.\-:[\]]{1,255}$/;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The end-to-end request headers an upstream gets: hop-by-hop ones dropped, the harness's own headers
 * dropped (a client cannot speak for the edge or the sides), X-Forwarded-For/-Proto/-Host written by
 * the edge (a trusted proxy's Proto and Host believed when well-formed; Forwarded and any other
 * X-Forwarded-* never passed on), the request id set, and everything else (Authorization, Cookie,
 * traceparent, Idempotency-Key…) passed on.
 */
export function outgoingRequestHeaders(incoming: IncomingHttpHeaders, facts: OutgoingFacts): HeaderRecord {
  const dropped = hopByHopNames(incoming.connection);
  const headers: HeaderRecord = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || dropped.has(name) || EDGE_OWNED.has(name)) continue;
    if (name.charCodeAt(0) === 0x78 /* x */ && (name.startsWith('x-forwarded-') || isHarnessHeader(name))) continue;
    headers[name] = value;
  }
  headers['x-forwarded-for'] = facts.forwardedFor;
  const proto = facts.peerTrusted ? first(incoming['x-forwarded-proto'])?.trim().toLowerCase() : undefined;
  headers['x-forwarded-proto'] = proto && PROTOCOL.test(proto) ? proto : facts.protocol;
  const claimedHost = facts.peerTrusted ? first(incoming['x-forwarded-host'])?.trim() : undefined;
  const host = claimedHost && HOST.test(claimedHost) ? claimedHost : incoming.host;
  if (host) headers['x-forwarded-host'] = host;
  headers['x-request-id'] = facts.requestId;
  if (facts.hop !== undefined) headers[EDGE_HOP_HEADER] = facts.hop;
  return headers;
}

/** Whether the client's request carries a body (a length other than 0, or chunked framing). */
export function hasRequestBody(incoming: IncomingHttpHeaders): boolean {
  if (incoming['transfer-encoding'] !== undefined) return true;
  const length = incoming['content-length'];
  return length !== undefined && length !== '0';
}

/** Framing headers for one attempt: the exact length when known, else chunked when there is a body. */
export function withFraming(headers: HeaderRecord, body: { present: boolean; length: number | undefined }): HeaderRecord {
  if (!body.present) return headers;
  if (body.length !== undefined) return { ...headers, 'content-length': String(body.length) };
  return { ...headers, 'transfer-encoding': 'chunked' };
}
