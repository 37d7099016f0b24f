import { scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters as the auth service wrote them before argon2id: 'N=65536,r=8,p=2'. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** A tampered row must not make one check allocate more than this. */
const MEMORY_CEILING = 256 * 1024 * 1024;
const FORMAT = /^N=(\d+),r=(\d+),p=(\d+)$/;

/** What OpenSSL allocates for one hash; passed as `maxmem`, whose 32 MiB default is too small for N=2^16. */
const memoryBytes = ({ N, r, p }: ScryptParams): number => 128 * r * (N + 2 + p);

export function parseScryptParams(text: string | null): ScryptParams {
  const match = FORMAT.exec(text ?? '');
  if (!match) throw new Error(`malformed scrypt parameters: ${JSON.stringify(text)}`);
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const powerOfTwo = params.N >= 2 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.r < 1 || params.p < 1 || memoryBytes(params) > MEMORY_CEILING) {
    throw new Error(`unacceptable scrypt parameters: ${JSON.stringify(text)}`);
  }
  return params;
}

export const formatScryptParams = ({ N, r, p }: ScryptParams): string => `N=${N},r=${r},p=${p}`;

/** Verification only: nothing creates scrypt credentials any more; they are re-hashed at login. */
export async function verifyScrypt(password: string, stored: { hash: string; salt: string; params: string | null }): Promise<boolean> {
  const params = parseScryptParams(stored.params);
  const expected = Buffer.from(stored.hash, 'hex');
  if (expected.length === 0) return false;
  const candidate = await new Promise<Buffer>((resolve, reject) => {
    scrypt(password, Buffer.from(stored.salt, 'hex'), expected.length, { ...params, maxmem: memoryBytes(params) }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
