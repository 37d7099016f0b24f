import { randomBytes, scryptSync } from 'node:crypto';
import {
  CURRENT_ARGON2_PARAMS,
  formatArgon2Params,
  hashWithArgon2id,
  HashingGate,
  legacySha256,
  parseArgon2Params,
  PasswordHasher,
  RetryLaterError,
} from '../src';

const cheap = { memoryKiB: 1024, passes: 1, lanes: 1 };

function scryptCredential(password: string, params = { N: 1024, r: 8, p: 1 }) {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { ...params, maxmem: 128 * params.r * (params.N + 2 + params.p) });
  return { scheme: 'scrypt', hash: hash.toString('hex'), salt: salt.toString('hex'), params: `N=${params.N},r=${params.r},p=${params.p}` };
}

describe('argon2id parameters', () => {
  it('are OWASP\'s minimum and round-trip through their stored form', () => {
    expect(formatArgon2Params(CURRENT_ARGON2_PARAMS)).toBe('m=19456,t=2,p=1');
    expect(parseArgon2Params('m=19456,t=2,p=1')).toEqual(CURRENT_ARGON2_PARAMS);
  });

  it.each([null, '', 'm=19456,t=2', 'm=4194304,t=2,p=1', 'm=19456,t=0,p=1', 'm=19456,t=99,p=1', 'm=19456,t=2,p=0', 'm=4,t=2,p=1', 'M=19456,t=2,p=1'])(
    'refuse %j (malformed, or a tampered row asking for too much)',
    (text) => {
      expect(() => parseArgon2Params(text)).toThrow(/argon2id parameters/);
    },
  );
});

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher({ params: cheap });

  it('hashes new passwords with argon2id, salted, and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hasher.hash('password1'), hasher.hash('password1')]);
    expect(a).toMatchObject({ scheme: 'argon2id', params: 'm=1024,t=1,p=1' });
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(await hasher.check('password1', a)).toEqual({ ok: true, upgrade: undefined });
    expect(await hasher.check('password2', a)).toEqual({ ok: false });
  });

  it('verifies legacy SHA-256 and offers an argon2id replacement (UTF-8, no normalisation)', async () => {
    const stored = { scheme: 'legacy-sha256', ...legacySha256('pässword 1'), params: null };
    const check = await hasher.check('pässword 1', stored);
    expect(check).toEqual({ ok: true, upgrade: expect.objectContaining({ scheme: 'argon2id', params: 'm=1024,t=1,p=1' }) });
    if (check.ok) expect(await hasher.check('pässword 1', check.upgrade)).toEqual({ ok: true, upgrade: undefined });
    expect(await hasher.check('password 1', stored)).toEqual({ ok: false });
  });

  it('verifies scrypt (including the old 64 MiB policy, above the 32 MiB default maxmem) and offers argon2id', async () => {
    const cheapScrypt = scryptCredential('pw');
    expect(await hasher.check('pw', cheapScrypt)).toEqual({ ok: true, upgrade: expect.objectContaining({ scheme: 'argon2id' }) });
    expect(await hasher.check('pW', cheapScrypt)).toEqual({ ok: false });
    expect(await hasher.check('pw', scryptCredential('pw', { N: 65536, r: 8, p: 2 }))).toMatchObject({ ok: true });
    await expect(hasher.check('pw', { ...cheapScrypt, params: 'N=1048576,r=8,p=1' })).rejects.toThrow(/unacceptable scrypt parameters/);
  });

  it('offers an upgrade for an argon2id hash made with other parameters', async () => {
    const old = await hashWithArgon2id('password1', { memoryKiB: 512, passes: 1, lanes: 1 });
    expect(await hasher.check('password1', old)).toEqual({ ok: true, upgrade: expect.objectContaining({ params: 'm=1024,t=1,p=1' }) });
  });

  it('answers an unknown account with a plain failure, and refuses an unknown scheme loudly', async () => {
    expect(await hasher.check('password1', undefined)).toEqual({ ok: false });
    await expect(hasher.check('password1', { scheme: 'md5', hash: 'x', salt: 'y', params: null })).rejects.toThrow(/unknown credential scheme/);
  });

  it('never blocks the event loop: timers keep running while full-cost hashes are computed', async () => {
    const full = new PasswordHasher({ gate: new HashingGate({ concurrency: 4, maxQueue: 8 }) });
    let ticks = 0;
    let done = false;
    const tick = () => {
      ticks += 1;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const before = ticks;
    await Promise.all(Array.from({ length: 4 }, () => full.hash('correct horse')));
    done = true;
    // A synchronous hash would have run before any of these callbacks could.
    expect(ticks - before).toBeGreaterThan(10);
  });
});

describe('HashingGate', () => {
  function deferred() {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  it('runs at most `concurrency` jobs, queues up to `maxQueue` in arrival order, and sheds the rest with 503 + Retry-After', async () => {
    const gate = new HashingGate({ concurrency: 1, maxQueue: 2 });
    const order: string[] = [];
    const first = deferred();
    const a = gate.run(async () => {
      order.push('a');
      await first.promise;
    });
    const b = gate.run(async () => void order.push('b'));
    const c = gate.run(async () => void order.push('c'));
    expect(gate.queued).toBe(2);
    const shed = await gate.run(async () => 'never').catch((error: unknown) => error);
    expect(shed).toBeInstanceOf(RetryLaterError);
    expect(shed).toMatchObject({ code: 'AUTH_BUSY', status: 503, extensions: { retryable: true } });
    expect((shed as RetryLaterError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(order).toEqual(['a']);
    first.resolve();
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(gate.queued).toBe(0);
  });

  it('drops a waiting job whose client went away, without running it', async () => {
    const gate = new HashingGate({ concurrency: 1, maxQueue: 4 });
    const first = deferred();
    const ran: string[] = [];
    const a = gate.run(async () => {
      ran.push('a');
      await first.promise;
    });
    const left = new AbortController();
    const b = gate.run(async () => void ran.push('b'), left.signal);
    const c = gate.run(async () => void ran.push('c'));
    expect(gate.queued).toBe(2);
    left.abort();
    await expect(b).rejects.toMatchObject({ code: 'REQUEST_ABORTED' });
    expect(gate.queued).toBe(1);
    first.resolve();
    await Promise.all([a, c]);
    expect(ran).toEqual(['a', 'c']);
    await expect(gate.run(async () => 'never', left.signal)).rejects.toMatchObject({ code: 'REQUEST_ABORTED' });
  });

  it('frees its slot when a job fails', async () => {
    const gate = new HashingGate({ concurrency: 1, maxQueue: 0 });
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.run(async () => 'ok')).resolves.toBe('ok');
  });
});
