/** A stored password verifier: the scheme says how `hash`, `salt` and `params` are to be read. */
export interface Credential {
  scheme: string;
  hash: string;
  salt: string;
  params: string | null;
}

/** What new and re-hashed credentials use, on both sides. */
export const ARGON2ID_SCHEME = 'argon2id';
/** Written by the auth service before argon2id; verified and re-hashed at its owner's next login. */
export const SCRYPT_SCHEME = 'scrypt';
/** The monolith's own scheme (hex SHA-256 of salt + password); verified and re-hashed, never created. */
export const LEGACY_SHA256_SCHEME = 'legacy-sha256';

/**
 * Every scheme both sides can verify, so every scheme the data sync may carry either way. A row with
 * any other scheme is refused by the sync (data-engine/src/mappings/auth-users.ts keeps the same list,
 * checked by a test) and fails a login loudly rather than as a wrong password.
 */
export const PASSWORD_SCHEMES = [ARGON2ID_SCHEME, SCRYPT_SCHEME, LEGACY_SHA256_SCHEME] as const;
