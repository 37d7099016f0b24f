import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashRaw, type Algorithm } from '@node-rs/argon2';
import { ARGON2ID_SCHEME, type Credential } from './credential';

/** argon2id cost: memory in KiB (m), passes (t), lanes (p). Version 0x13 always. */
export interface Argon2Params {
  memoryKiB: number;
  passes: number;
  lanes: number;
}

/**
 * OWASP's minimum for argon2id (Password Storage Cheat Sheet): m = 19 MiB, t = 2, p = 1. About 14 ms
 * of one core on the 2-core reference box (docs/decisions/0026). Raising it later is a change here:
 * stored hashes keep their own parameters and are re-hashed at their owner's next login.
 */
export const CURRENT_ARGON2_PARAMS: Argon2Params = Object.freeze({ memoryKiB: 19 * 1024, passes: 2, lanes: 1 });

/** A stored row (e.g. tampered) must not make one check allocate or spin without bound. */
const CEILING = { memoryKiB: 256 * 1024, passes: 16, lanes: 8 };
const FORMAT = /^m=(\d{1,9}),t=(\d{1,3}),p=(\d{1,3})$/;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const ARGON2ID = 2 as Algorithm;

export function formatArgon2Params({ memoryKiB, passes, lanes }: Argon2Params): string {
  return `m=${memoryKiB},t=${passes},p=${lanes}`;
}

export function parseArgon2Params(text: string | null): Argon2Params {
  const match = FORMAT.exec(text ?? '');
  if (!match) throw new Error(`malformed argon2id parameters: ${JSON.stringify(text)}`);
  const params = { memoryKiB: Number(match[1]), passes: Number(match[2]), lanes: Number(match[3]) };
  const inRange =
    params.lanes >= 1 && params.lanes <= CEILING.lanes &&
    params.passes >= 1 && params.passes <= CEILING.passes &&
    params.memoryKiB >= 8 * params.lanes && params.memoryKiB <= CEILING.memoryKiB;
  if (!inRange) throw new Error(`unacceptable argon2id parameters: ${JSON.stringify(text)}`);
  return params;
}

export const sameArgon2Params = (a: Argon2Params, b: Argon2Params): boolean =>
  a.memoryKiB === b.memoryKiB && a.passes === b.passes && a.lanes === b.lanes;

/** Runs on libuv's thread pool (napi async work): the event loop is never blocked. */
function derive(password: string, salt: Buffer, params: Argon2Params, keyBytes: number): Promise<Buffer> {
  return hashRaw(password, {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKiB,
    timeCost: params.passes,
    parallelism: params.lanes,
    outputLen: keyBytes,
    salt,
  });
}

export async function hashWithArgon2id(password: string, params: Argon2Params): Promise<Credential> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return { scheme: ARGON2ID_SCHEME, hash: key.toString('hex'), salt: salt.toString('hex'), params: formatArgon2Params(params) };
}

export async function verifyArgon2id(password: string, stored: { hash: string; salt: string }, params: Argon2Params): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'hex');
  const candidate = await derive(password, Buffer.from(stored.salt, 'hex'), params, expected.length >= 4 ? expected.length : KEY_BYTES);
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}
