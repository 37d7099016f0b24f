import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether a secret a caller presented is the configured one, in time that depends on neither's
 * content nor length: both are hashed to 32 bytes first (a length check before timingSafeEqual
 * would tell an attacker how long the secret is).
 */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
