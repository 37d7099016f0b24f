import { randomBytes } from 'node:crypto';

/** Opaque bearer tokens: 256 random bits, base64url. Only their SHA-256 (kit's hashToken) is stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}
