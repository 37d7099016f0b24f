/** scrypt cost parameters: N (CPU/memory cost, a power of two), r (block size), p (parallelism). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * The current policy, equivalent to OWASP's scrypt baseline (N=2^17,r=8,p=1 ≈ N=2^16,r=8,p=2):
 * 64 MiB and ~250 ms per hash on the 2-core reference box (see services/auth/README.md, and
 * `node services/auth/dist/passwords/measure-scrypt-cli.js` to re-measure). Raising it later is a
 * change here: stored hashes keep their own parameters and are upgraded at their owner's next login.
 */
export const CURRENT_SCRYPT_PARAMS: ScryptParams = Object.freeze({ N: 2 ** 16, r: 8, p: 2 });

/** Refuse parameters (e.g. from a tampered row) that would make one hash allocate more than this. */
export const SCRYPT_MEMORY_CEILING = 256 * 1024 * 1024;

/** What OpenSSL allocates for one hash (V = 128·r·(N+2) plus B = 128·r·p); used as `maxmem`, whose
 * 32 MiB default is too small for N=2^16. */
export function scryptMemoryBytes({ N, r, p }: ScryptParams): number {
  return 128 * r * (N + 2 + p);
}

export function formatScryptParams({ N, r, p }: ScryptParams): string {
  return `N=${N},r=${r},p=${p}`;
}

const FORMAT = /^N=(\d+),r=(\d+),p=(\d+)$/;

export function parseScryptParams(text: string | null): ScryptParams {
  const match = FORMAT.exec(text ?? '');
  if (!match) throw new Error(`malformed scrypt parameters: ${JSON.stringify(text)}`);
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const powerOfTwo = params.N >= 2 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.r < 1 || params.p < 1 || scryptMemoryBytes(params) > SCRYPT_MEMORY_CEILING) {
    throw new Error(`unacceptable scrypt parameters: ${JSON.stringify(text)}`);
  }
  return params;
}

export function sameScryptParams(a: ScryptParams, b: ScryptParams): boolean {
  return a.N === b.N && a.r === b.r && a.p === b.p;
}
