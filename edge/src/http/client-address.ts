import type { IncomingMessage } from 'node:http';

/** express's compiled "trust proxy" function: is the hop at this address (and distance) a trusted proxy? */
export type TrustFunction = (address: string, hop: number) => boolean;

/**
 * The client's address as express's `req.ip` computes it (proxy-addr): walk from the socket's peer
 * back through X-Forwarded-For while each hop is trusted; the first untrusted one is the client.
 */
export function clientAddress(req: IncomingMessage, trust: TrustFunction): string {
  const peer = req.socket.remoteAddress ?? '';
  const header = req.headers['x-forwarded-for'];
  const forwarded = Array.isArray(header) ? header.join(',') : header;
  if (!forwarded) return peer;
  const hops = [peer, ...forwarded.split(',').map((hop) => hop.trim()).filter(Boolean).reverse()];
  for (let i = 0; i < hops.length - 1; i += 1) {
    if (!trust(hops[i]!, i)) return hops[i]!;
  }
  return hops[hops.length - 1]!;
}
