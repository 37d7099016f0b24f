import type { IncomingHttpHeaders } from 'node:http';
import { hopByHopNames } from './hop-by-hop';

export type HeaderRecord = Record<string, string | string[]>;

export interface ForwardingFacts {
  /** The address of the peer that connected to the edge. */
  peerAddress: string;
  /** Whether that peer is a proxy we trust to have set X-Forwarded-* truthfully. */
  peerTrusted: boolean;
  /** The protocol the peer used to reach the edge. */
  protocol: 'http' | 'https';
  requestId: string;
}

// Not hop-by-hop, but the edge owns them: Host becomes the upstream's, framing is set per attempt
// (a replayed body is re-framed), and the edge already answered any Expect: 100-continue itself.
const EDGE_OWNED = new Set(['host', 'content-length', 'transfer-encoding', 'expect', 'x-request-id']);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The end-to-end request headers an upstream gets: hop-by-hop ones dropped, X-Forwarded-For/-Proto/-Host
 * set (a client's own claims are only extended when it is a trusted proxy, otherwise replaced), the
 * request id set, and everything else (Authorization, Cookie, traceparent, Idempotency-Key…) passed on.
 */
export function outgoingRequestHeaders(incoming: IncomingHttpHeaders, facts: ForwardingFacts): HeaderRecord {
  const dropped = hopByHopNames(incoming.connection);
  const headers: HeaderRecord = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || dropped.has(name) || EDGE_OWNED.has(name)) continue;
    if (!facts.peerTrusted && (name === 'forwarded' || name.startsWith('x-forwarded-'))) continue;
    headers[name] = value;
  }
  const priorFor = facts.peerTrusted ? first(incoming['x-forwarded-for']) : undefined;
  headers['x-forwarded-for'] = priorFor ? `${priorFor}, ${facts.peerAddress}` : facts.peerAddress;
  headers['x-forwarded-proto'] = (facts.peerTrusted && first(incoming['x-forwarded-proto'])) || facts.protocol;
  const host = (facts.peerTrusted && first(incoming['x-forwarded-host'])) || incoming.host;
  if (host) headers['x-forwarded-host'] = host;
  headers['x-request-id'] = facts.requestId;
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
