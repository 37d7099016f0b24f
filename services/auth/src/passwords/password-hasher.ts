import { LEGACY_SHA256_SCHEME, SCRYPT_SCHEME, type Credential } from './credential';
import { verifyLegacySha256 } from './legacy-sha256';
import { hashWithScrypt, verifyScrypt } from './scrypt-hash';
import { CURRENT_SCRYPT_PARAMS, parseScryptParams, sameScryptParams, type ScryptParams } from './scrypt-params';

/** `upgrade` is a fresh credential under the current policy when the stored one is outdated. */
export type PasswordCheck = { ok: false } | { ok: true; upgrade: Credential | undefined };

const NOBODY = { hash: '00'.repeat(32), salt: '00'.repeat(16) };

/**
 * Hashes new passwords with the current scrypt policy and checks stored credentials of any scheme.
 * Every check costs at least one scrypt at the current parameters, whether the account exists,
 * is legacy, or the password is wrong, so timing does not tell them apart.
 */
export class PasswordHasher {
  constructor(private readonly params: ScryptParams = CURRENT_SCRYPT_PARAMS) {}

  hash(password: string): Promise<Credential> {
    return hashWithScrypt(password, this.params);
  }

  async check(password: string, stored: Credential | undefined): Promise<PasswordCheck> {
    if (!stored) {
      await verifyScrypt(password, NOBODY, this.params);
      return { ok: false };
    }
    switch (stored.scheme) {
      case SCRYPT_SCHEME: {
        const params = parseScryptParams(stored.params);
        if (!(await verifyScrypt(password, stored, params))) return { ok: false };
        return { ok: true, upgrade: sameScryptParams(params, this.params) ? undefined : await this.hash(password) };
      }
      case LEGACY_SHA256_SCHEME: {
        // The replacement is computed whatever the outcome: the scrypt work hides that the hash is legacy.
        const replacement = await this.hash(password);
        return verifyLegacySha256(password, stored) ? { ok: true, upgrade: replacement } : { ok: false };
      }
      default:
        throw new Error(`unknown credential scheme: ${stored.scheme}`);
    }
  }
}
