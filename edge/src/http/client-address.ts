import type { IncomingMessage } from 'node:http';

/** express's compiled "trust proxy" function: is the hop at this address (and distance) a trusted proxy? */
export type TrustFunction = (address: string, hop: number) => boolean;

/** Who sent a request, as far as the edge can vouch for it. */
export interface ForwardingFacts {
  /** The client: the first hop, walking back from the socket's peer, that is not a trusted proxy. */
  client: string;
  /**
   * The X-Forwarded-For the upstream gets: the client, then each trusted proxy in order, then the
   * peer. Whatever a client wrote before its own address is dropped, so an upstream that trusts the
   * edge (and private ranges) can never walk into addresses the client chose.
   */
  forwardedFor: string;
  /** Whether the socket's peer is a trusted proxy (its X-Forwarded-Proto/-Host are believed). */
  peerTrusted: boolean;
}

/**
 * The client's address as express's `req.ip` computes it (proxy-addr): walk from the socket's peer
 * back through X-Forwarded-For while each hop is trusted; the first untrusted one is the client.
 */
export function forwardingFacts(req: IncomingMessage, trust: TrustFunction): ForwardingFacts {
  const peer = req.socket.remoteAddress ?? '';
  const peerTrusted = trust(peer, 0);
  const header = req.headers['x-forwarded-for'];
  if (!peerTrusted || !header) return { client: peer, forwardedFor: peer, peerTrusted };
  const forwarded = Array.isArray(header) ? header.join(',') : header;
  const hops = [peer, ...forwarded.split(',').map((hop) => hop.trim()).filter(Boolean).reverse()];
  let client = hops.length - 1;
  for (let i = 0; i < hops.length - 1; i += 1) {
    if (!trust(hops[i]!, i)) {
      client = i;
      break;
    }
  }
  return { client: hops[client]!, forwardedFor: hops.slice(0, client + 1).reverse().join(', '), peerTrusted };
}

export function clientAddress(req: IncomingMessage, trust: TrustFunction): string {
  return forwardingFacts(req, trust).client;
}
