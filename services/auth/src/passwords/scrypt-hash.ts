import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { SCRYPT_SCHEME, type Credential } from './credential';
import { formatScryptParams, scryptMemoryBytes, type ScryptParams } from './scrypt-params';

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/** The async scrypt runs on libuv's thread pool, so a login never blocks the event loop. */
function derive(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { ...params, maxmem: scryptMemoryBytes(params) }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashWithScrypt(password: string, params: ScryptParams): Promise<Credential> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, KEY_LENGTH, params);
  return { scheme: SCRYPT_SCHEME, hash: key.toString('hex'), salt: salt.toString('hex'), params: formatScryptParams(params) };
}

export async function verifyScrypt(password: string, stored: { hash: string; salt: string }, params: ScryptParams): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'hex');
  const candidate = await derive(password, Buffer.from(stored.salt, 'hex'), expected.length || KEY_LENGTH, params);
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
