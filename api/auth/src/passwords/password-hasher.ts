import { CURRENT_ARGON2_PARAMS, hashWithArgon2id, parseArgon2Params, sameArgon2Params, verifyArgon2id, type Argon2Params } from './argon2id';
import { ARGON2ID_SCHEME, LEGACY_SHA256_SCHEME, SCRYPT_SCHEME, type Credential } from './credential';
import { HashingGate } from './hashing-gate';
import { verifyLegacySha256 } from './legacy-sha256';
import { verifyScrypt } from './scrypt';

/** `upgrade` is a fresh argon2id credential under the current policy when the stored one is outdated. */
export type PasswordCheck = { ok: false } | { ok: true; upgrade: Credential | undefined };

/** What the login and register use cases need; the bench's legacy-login reference implements it too. */
export interface PasswordHashing {
  /** `signal`: the client's request; work for a client that left while it waited is not done. */
  hash(password: string, signal?: AbortSignal): Promise<Credential>;
  check(password: string, stored: Credential | undefined, signal?: AbortSignal): Promise<PasswordCheck>;
}

const NOBODY = { hash: '00'.repeat(32), salt: '00'.repeat(16) };

/**
 * One password policy for both sides (docs/decisions/0026): new and re-hashed credentials are
 * argon2id at `params`; legacy SHA-256, scrypt and argon2id at other parameters are verified and
 * offered an upgrade. Each hash or check is one job of the gate (bounded concurrency and queue).
 *
 * No timing oracle: every check costs one argon2id at the current parameters whether the email is
 * unknown (a dummy verify), the credential legacy (its replacement is computed before the SHA-256
 * comparison, whatever the outcome) or already argon2id. What still costs its own price: a scrypt
 * credential (until its owner logs in once) and an argon2id hash with other parameters.
 */
export class PasswordHasher implements PasswordHashing {
  private readonly params: Argon2Params;
  private readonly gate: HashingGate;

  constructor(options: { params?: Argon2Params; gate?: HashingGate } = {}) {
    this.params = options.params ?? CURRENT_ARGON2_PARAMS;
    this.gate = options.gate ?? new HashingGate({ concurrency: 2, maxQueue: 64 });
  }

  hash(password: string, signal?: AbortSignal): Promise<Credential> {
    return this.gate.run(() => hashWithArgon2id(password, this.params), signal);
  }

  check(password: string, stored: Credential | undefined, signal?: AbortSignal): Promise<PasswordCheck> {
    return this.gate.run(() => this.checkNow(password, stored), signal);
  }

  private async checkNow(password: string, stored: Credential | undefined): Promise<PasswordCheck> {
    if (!stored) {
      await verifyArgon2id(password, NOBODY, this.params);
      return { ok: false };
    }
    switch (stored.scheme) {
      case ARGON2ID_SCHEME: {
        const params = parseArgon2Params(stored.params);
        if (!(await verifyArgon2id(password, stored, params))) return { ok: false };
        return { ok: true, upgrade: sameArgon2Params(params, this.params) ? undefined : await hashWithArgon2id(password, this.params) };
      }
      case LEGACY_SHA256_SCHEME: {
        const replacement = await hashWithArgon2id(password, this.params);
        return verifyLegacySha256(password, stored) ? { ok: true, upgrade: replacement } : { ok: false };
      }
      case SCRYPT_SCHEME:
        if (!(await verifyScrypt(password, stored))) return { ok: false };
        return { ok: true, upgrade: await hashWithArgon2id(password, this.params) };
      default:
        // A scheme written by a newer side than this one knows: fail loudly (500 + log), never as a
        // wrong password.
        throw new Error(`unknown credential scheme: ${stored.scheme}`);
    }
  }
}
