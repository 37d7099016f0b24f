import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Verifies the monolith's legacy scheme (hex SHA-256 of salt + password, see
 * monolith/src/auth/legacy-password.ts) without ever producing one: the service only reads these.
 */
export function verifyLegacySha256(password: string, stored: { hash: string; salt: string }): boolean {
  const candidate = createHash('sha256').update(stored.salt + password, 'utf8').digest();
  const expected = Buffer.from(stored.hash, 'hex');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
