import ipaddr from 'ipaddr.js';
import { bearerTokenFrom } from '@strangler/kit';
import { tokenHashOf, type RequestIdentity } from './request-identity';
import type { UserResolver } from './user-resolver';

/**
 * Who a per-client limit counts a request against, by the same identity the flags bucket by
 * (request-identity.ts): the user a bearer token resolves to, whatever token or address they come
 * from; otherwise — no token, a made-up one, one not resolved in time — the client's address as far
 * as trusted proxies vouch for it (TRUST_PROXY), so neither inventing tokens nor writing
 * X-Forwarded-For buys a fresh budget. An IPv6 client counts by its /64: one host is routinely given
 * a whole /64, so counting single addresses would let it rotate through them.
 */
export function clientKeyFor(identity: RequestIdentity, users: UserResolver): string | Promise<string> {
  const token = bearerTokenFrom(identity.headers.authorization);
  if (!token) return addressKey(identity.clientAddress);
  const tokenHash = tokenHashOf(token);
  const known = users.known(tokenHash, false);
  if (known) return known.userId ? `user:${known.userId}` : addressKey(identity.clientAddress);
  return users.resolve(tokenHash).then((userId) => (userId ? `user:${userId}` : addressKey(identity.clientAddress)));
}

/** `addr:<IPv4>` or `addr:<IPv6 /64 prefix>::/64`; an IPv4-mapped IPv6 address counts as its IPv4. */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return `addr:${address}`;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return `addr:${parsed.toString()}`;
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return `addr:${v6.toIPv4Address().toString()}`;
  const parts = v6.parts.slice(0, 4).map((part) => part.toString(16));
  return `addr:${parts.join(':')}::/64`;
}
