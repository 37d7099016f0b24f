import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerTokenFrom, hashToken } from '@strangler/kit';
import type { Context } from 'unleash-client';
import type { UserResolver } from './user-resolver';

export interface RequestIdentity {
  /** The client's address (X-Forwarded-For as far as proxies are trusted, else the socket's). */
  clientAddress: string;
  headers: IncomingHttpHeaders;
}

/**
 * The Unleash context a request is evaluated with, built so `default` stickiness keeps everyone on
 * one side while the percentage holds: the user id behind the bearer token when it can be resolved
 * quickly, else the token's hash (sessionId); for anonymous calls (login, register) a hash of the
 * client address (sessionId), so they stick too instead of falling to Unleash's random stickiness.
 */
export async function unleashContextFor(identity: RequestIdentity, users: UserResolver): Promise<Context> {
  const token = bearerTokenFrom(identity.headers.authorization);
  const remoteAddress = identity.clientAddress;
  if (token) {
    const tokenHash = hashToken(token);
    const userId = await users.resolve(tokenHash);
    return userId ? { userId, sessionId: tokenHash, remoteAddress } : { sessionId: tokenHash, remoteAddress };
  }
  return { sessionId: addressHash(remoteAddress), remoteAddress };
}

export function addressHash(address: string): string {
  return createHash('sha256').update(`client-address:${address}`, 'utf8').digest('hex');
}
