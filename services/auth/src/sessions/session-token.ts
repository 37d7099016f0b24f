import { randomBytes } from 'node:crypto';

/** Opaque bearer tokens exactly like the monolith's: 256 random bits, base64url. Only their SHA-256
 * (kit's hashToken) is stored, so either side can answer for a token the other issued. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}
