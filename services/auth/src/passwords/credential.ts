export const SCRYPT_SCHEME = 'scrypt';
export const LEGACY_SHA256_SCHEME = 'legacy-sha256';

/** A stored password verifier: the scheme says how `hash`, `salt` and `params` are to be read. */
export interface Credential {
  scheme: string;
  hash: string;
  salt: string;
  params: string | null;
}
