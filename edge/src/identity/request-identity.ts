import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerTokenFrom } from '@strangler/kit';
import type { Context } from 'unleash-client';
import type { UserResolver } from './user-resolver';

export interface RequestIdentity {
  /** The client's address (X-Forwarded-For as far as proxies are trusted, else the socket's). */
  clientAddress: string;
  headers: IncomingHttpHeaders;
}

/**
 * The Unleash context a request is evaluated with, built so `default` stickiness keeps everyone on
 * one side while the percentage holds, and so a client cannot choose its side:
 * - a bearer token that resolves to a user: that user's id (the user's side, whatever token or
 *   address they come from);
 * - anything else — no token, a token that resolves to nobody, or one not resolved in time — a hash
 *   of the client's address as far as trusted proxies vouch for it (sessionId), never the token's hash:
 *   made-up tokens are free, so bucketing by them let a client retry until it landed on the side it
 *   wanted (docs/decisions/0017-forwarded-headers-and-bucketing.md).
 * Returned at once when nothing has to be looked up (anonymous, or a token already resolved), so the
 * common request does not wait on a promise.
 */
export function unleashContextFor(identity: RequestIdentity, users: UserResolver): Context | Promise<Context> {
  const token = bearerTokenFrom(identity.headers.authorization);
  const remoteAddress = identity.clientAddress;
  if (token) {
    const tokenHash = tokenHashOf(token);
    const known = users.known(tokenHash);
    if (known) return tokenContext(known.userId, tokenHash, remoteAddress);
    return users.resolve(tokenHash).then((userId) => tokenContext(userId, tokenHash, remoteAddress));
  }
  return addressContext(remoteAddress);
}

/**
 * Every key the caller of this request is known by without a lookup, for read-your-writes pins
 * (consistency/write-affinity.ts): the user id already resolved for the token and the token's hash.
 * None for anonymous calls: what they write (a registration, a login) is read back with the token it
 * returns, and a client address is shared by everyone behind one NAT or proxy.
 */
export function callerKeysFor(identity: Pick<RequestIdentity, 'headers'>, users: UserResolver): string[] {
  const token = bearerTokenFrom(identity.headers.authorization);
  if (!token) return NO_KEYS;
  const tokenHash = tokenHashOf(token);
  const userId = users.rememberedUserId(tokenHash);
  return userId === undefined ? [`token:${tokenHash}`] : [userCallerKey(userId), `token:${tokenHash}`];
}

/** The key a signed-in user's pins are kept under, whatever token they come with. */
export function userCallerKey(userId: string): string {
  return `user:${userId}`;
}

const NO_KEYS: string[] = [];

function tokenContext(userId: string | undefined, tokenHash: string, remoteAddress: string): Context {
  return userId ? { userId, sessionId: tokenHash, remoteAddress } : addressContext(remoteAddress);
}

function addressContext(remoteAddress: string): Context {
  return { sessionId: addressHash(remoteAddress), remoteAddress };
}

/** kit's hashToken (hex SHA-256 of the UTF-8 token, what the sides key sessions by), in one call. */
export function tokenHashOf(token: string): string {
  return hash('sha256', token, 'hex');
}

export function addressHash(address: string): string {
  return hash('sha256', `client-address:${address}`, 'hex');
}
