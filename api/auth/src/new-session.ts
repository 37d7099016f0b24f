import { randomBytes } from 'node:crypto';
import { hashToken, type Clock } from '@strangler/kit';
import type { NewSession } from './session-repository';

/**
 * A new session: an opaque bearer token (256 random bits, base64url) for the client, and the row to
 * store, which holds only the token's SHA-256 (kit's hashToken), so either side can answer for a
 * token the other issued.
 */
export function newSession(userId: string, clock: Clock, ttlMs: number): { token: string; record: NewSession } {
  const token = randomBytes(32).toString('base64url');
  const createdAt = clock.now();
  return { token, record: { tokenHash: hashToken(token), userId, createdAt, expiresAt: new Date(createdAt.getTime() + ttlMs) } };
}
