import { randomBytes, scryptSync } from 'node:crypto';
import { hashLegacyPassword } from '../src/auth/legacy-password';
import { newStoredPassword, verifyStoredPassword } from '../src/auth/stored-password';

/** A credential exactly as the auth service stores one (hex key and salt, parameters as text). */
function serviceScrypt(password: string, params = { N: 1024, r: 8, p: 1 }) {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { ...params, maxmem: 128 * params.r * (params.N + 2 + params.p) });
  return { scheme: 'scrypt', hash: hash.toString('hex'), salt: salt.toString('hex'), params: `N=${params.N},r=${params.r},p=${params.p}` };
}

describe('the monolith verifies every scheme the auth service may write back', () => {
  it('keeps creating and verifying legacy salted SHA-256 hashes', async () => {
    const stored = newStoredPassword('correct horse');
    expect(stored).toMatchObject({ scheme: 'legacy-sha256', params: null, hash: hashLegacyPassword('correct horse', stored.salt).hash });
    expect(await verifyStoredPassword('correct horse', stored)).toBe(true);
    expect(await verifyStoredPassword('correct horsE', stored)).toBe(false);
  });

  it('verifies scrypt with the stored parameters, including the service policy (64 MiB, above the 32 MiB default maxmem)', async () => {
    const cheap = serviceScrypt('correct horse');
    expect(await verifyStoredPassword('correct horse', cheap)).toBe(true);
    expect(await verifyStoredPassword('wrong horse', cheap)).toBe(false);
    const policy = serviceScrypt('correct horse', { N: 65536, r: 8, p: 2 });
    expect(await verifyStoredPassword('correct horse', policy)).toBe(true);
  });

  it('refuses tampered parameters and unknown schemes loudly rather than as a wrong password', async () => {
    const stored = serviceScrypt('pw');
    await expect(verifyStoredPassword('pw', { ...stored, params: 'N=1048576,r=8,p=1' })).rejects.toThrow(/unacceptable scrypt parameters/);
    await expect(verifyStoredPassword('pw', { ...stored, params: 'N=1000,r=8,p=1' })).rejects.toThrow(/unacceptable/);
    await expect(verifyStoredPassword('pw', { ...stored, params: null })).rejects.toThrow(/malformed scrypt parameters/);
    await expect(verifyStoredPassword('pw', { ...stored, scheme: 'argon2id' })).rejects.toThrow(/unknown password scheme: argon2id/);
  });
});
