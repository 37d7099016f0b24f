import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The monolith's legacy password scheme: hex SHA-256 of (salt + password). Weak by today's
 * standards (fast to brute-force) and kept on purpose: it is what the auth extraction must migrate.
 */
export interface LegacyPasswordHash {
  hash: string;
  salt: string;
}

export function hashLegacyPassword(password: string, salt = randomBytes(16).toString('hex')): LegacyPasswordHash {
  return { hash: createHash('sha256').update(salt + password, 'utf8').digest('hex'), salt };
}

export function verifyLegacyPassword(password: string, stored: LegacyPasswordHash): boolean {
  const candidate = Buffer.from(hashLegacyPassword(password, stored.salt).hash, 'hex');
  const expected = Buffer.from(stored.hash, 'hex');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

/** Burns the same work as a real check, so an unknown email answers as slowly as a wrong password. */
export function burnLegacyPasswordCheck(password: string): void {
  verifyLegacyPassword(password, { hash: '0'.repeat(64), salt: '0'.repeat(32) });
}
