import { hashLegacyPassword } from '../../../monolith/src/auth/legacy-password';
import { PasswordHasher } from '../src/passwords/password-hasher';
import { hashWithScrypt } from '../src/passwords/scrypt-hash';
import { CURRENT_SCRYPT_PARAMS, formatScryptParams, parseScryptParams, scryptMemoryBytes, SCRYPT_MEMORY_CEILING } from '../src/passwords/scrypt-params';

const cheap = { N: 1024, r: 8, p: 1 };

describe('scrypt parameters', () => {
  it('round-trip through their stored form', () => {
    expect(formatScryptParams(CURRENT_SCRYPT_PARAMS)).toBe('N=65536,r=8,p=2');
    expect(parseScryptParams('N=65536,r=8,p=2')).toEqual(CURRENT_SCRYPT_PARAMS);
  });

  it.each([null, '', 'N=1000,r=8,p=1', 'N=65536,r=0,p=1', 'N=65536,r=8', 'N=4194304,r=8,p=1', 'n=1024,r=8,p=1'])('refuse %j', (text) => {
    expect(() => parseScryptParams(text)).toThrow();
  });

  it('give scrypt exactly the memory it needs, within the ceiling', async () => {
    expect(scryptMemoryBytes(CURRENT_SCRYPT_PARAMS)).toBeLessThanOrEqual(SCRYPT_MEMORY_CEILING);
    await expect(hashWithScrypt('pw', CURRENT_SCRYPT_PARAMS)).resolves.toMatchObject({ scheme: 'scrypt' });
  });
});

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(cheap);

  it('salts every hash and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hasher.hash('password1'), hasher.hash('password1')]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(await hasher.check('password1', a)).toEqual({ ok: true, upgrade: undefined });
    expect(await hasher.check('password2', a)).toEqual({ ok: false });
  });

  it('verifies the monolith\'s legacy hashes and offers a scrypt replacement', async () => {
    const legacy = hashLegacyPassword('pässword 1');
    const stored = { scheme: 'legacy-sha256', ...legacy, params: null };
    const check = await hasher.check('pässword 1', stored);
    expect(check).toEqual({ ok: true, upgrade: expect.objectContaining({ scheme: 'scrypt', params: 'N=1024,r=8,p=1' }) });
    if (check.ok) expect(await hasher.check('pässword 1', check.upgrade)).toEqual({ ok: true, upgrade: undefined });
    expect(await hasher.check('password 1', stored)).toEqual({ ok: false });
  });

  it('offers an upgrade for a hash made with other parameters', async () => {
    const old = await hashWithScrypt('password1', { N: 512, r: 8, p: 1 });
    expect(await hasher.check('password1', old)).toEqual({ ok: true, upgrade: expect.objectContaining({ params: 'N=1024,r=8,p=1' }) });
  });

  it('answers an unknown account with a plain failure, and refuses an unknown scheme loudly', async () => {
    expect(await hasher.check('password1', undefined)).toEqual({ ok: false });
    await expect(hasher.check('password1', { scheme: 'md5', hash: 'x', salt: 'y', params: null })).rejects.toThrow(/unknown credential scheme/);
  });
});
