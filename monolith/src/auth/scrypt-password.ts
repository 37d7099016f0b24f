import { scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Verification (only) of the auth service's scrypt credentials, so a user whose legacy hash the
 * service replaced still logs in here after a rollback (the data sync writes the credential back).
 * The monolith never creates these: new registrations here stay on the legacy scheme.
 */
interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** Same ceiling as the service: a tampered row must not make a login allocate gigabytes. */
const MEMORY_CEILING = 256 * 1024 * 1024;
const FORMAT = /^N=(\d+),r=(\d+),p=(\d+)$/;

/** What OpenSSL allocates for one hash; passed as `maxmem`, whose 32 MiB default is too small for N=2^16. */
const memoryBytes = ({ N, r, p }: ScryptParams): number => 128 * r * (N + 2 + p);

function parseParams(text: string | null): ScryptParams {
  const match = FORMAT.exec(text ?? '');
  if (!match) throw new Error(`malformed scrypt parameters: ${JSON.stringify(text)}`);
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const powerOfTwo = params.N >= 2 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.r < 1 || params.p < 1 || memoryBytes(params) > MEMORY_CEILING) {
    throw new Error(`unacceptable scrypt parameters: ${JSON.stringify(text)}`);
  }
  return params;
}

/** Async: scrypt runs on libuv's thread pool, never blocking the event loop. */
export async function verifyScryptPassword(password: string, stored: { hash: string; salt: string; params: string | null }): Promise<boolean> {
  const params = parseParams(stored.params);
  const expected = Buffer.from(stored.hash, 'hex');
  if (expected.length === 0) return false;
  const candidate = await new Promise<Buffer>((resolve, reject) => {
    scrypt(password, Buffer.from(stored.salt, 'hex'), expected.length, { ...params, maxmem: memoryBytes(params) }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
