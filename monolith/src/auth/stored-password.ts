import { hashLegacyPassword, verifyLegacyPassword } from './legacy-password';
import { verifyScryptPassword } from './scrypt-password';

export const LEGACY_SHA256_SCHEME = 'legacy-sha256';
export const SCRYPT_SCHEME = 'scrypt';

/** A password verifier as `users` stores it: the scheme says how to read hash, salt and params. */
export interface StoredPassword {
  scheme: string;
  hash: string;
  salt: string;
  params: string | null;
}

/** New passwords stay on the legacy scheme: the monolith is legacy; the auth service upgrades them. */
export function newStoredPassword(password: string): StoredPassword {
  return { scheme: LEGACY_SHA256_SCHEME, ...hashLegacyPassword(password), params: null };
}

export async function verifyStoredPassword(password: string, stored: StoredPassword): Promise<boolean> {
  switch (stored.scheme) {
    case LEGACY_SHA256_SCHEME:
      return verifyLegacyPassword(password, stored);
    case SCRYPT_SCHEME:
      return verifyScryptPassword(password, stored);
    default:
      // A scheme written by a newer auth service than this monolith knows: fail loudly (500 +
      // log), never as a wrong password.
      throw new Error(`unknown password scheme: ${stored.scheme}`);
  }
}
