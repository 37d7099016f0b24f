import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The monolith's legacy scheme: hex SHA-256 of (salt + password). Weak by today's standards; no side
 * creates it for a user any more (the seed still does, to have something to migrate). Verified, then
 * replaced with argon2id at the owner's next login.
 */
export function legacySha256(password: string, salt: string = randomBytes(16).toString('hex')): { hash: string; salt: string } {
  return { hash: createHash('sha256').update(salt + password, 'utf8').digest('hex'), salt };
}

export function verifyLegacySha256(password: string, stored: { hash: string; salt: string }): boolean {
  const candidate = Buffer.from(legacySha256(password, stored.salt).hash, 'hex');
  const expected = Buffer.from(stored.hash, 'hex');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
