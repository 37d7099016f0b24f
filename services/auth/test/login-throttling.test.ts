import { testDialects, uniqueClientAddress, uniqueEmail } from '@strangler/kit/testing';
import { clientAddressKey } from '@strangler/auth-api';
import { startAuthService, type RunningAuthService } from '../src/testing';

const WINDOW_MS = 60_000;

describe.each(testDialects())('login throttling on %s', (dialect) => {
  let service: RunningAuthService;
  beforeAll(async () => {
    service = await startAuthService(dialect, { throttle: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 5, windowMs: WINDOW_MS } });
  });
  afterAll(async () => {
    await service.stop();
  });

  const login = (email: string, password: string, from = uniqueClientAddress()) =>
    service.api.post('/api/auth/login', { email, password }, { headers: { 'x-forwarded-for': from } });
  const registered = async (password = 'password1') => {
    const email = uniqueEmail();
    expect((await service.api.post('/api/auth/register', { email, password, name: 'T' })).status).toBe(201);
    return email;
  };
  const expectThrottled = (res: Awaited<ReturnType<typeof login>>) => {
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'urn:strangler:problem:auth-too-many-attempts', status: 429, code: 'AUTH_TOO_MANY_ATTEMPTS' });
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
  };

  it('blocks an account after its failures, from any address and in any email case, even with the right password', async () => {
    const email = await registered();
    for (const variant of [email, email.toUpperCase(), ` ${email} `]) expect((await login(variant, 'wrong-password')).status).toBe(401);
    expectThrottled(await login(email.toUpperCase(), 'password1'));
    expectThrottled(await login(email, 'password1'));
  });

  it('cannot be overtaken by concurrent guesses', async () => {
    const email = await registered();
    const results = await Promise.all(Array.from({ length: 10 }, () => login(email, 'wrong-password')));
    expect(results.filter((r) => r.status === 401)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
  });

  it('checks no more concurrent guesses than the account has failures left', async () => {
    const email = await registered();
    expect((await login(email, 'wrong-password')).status).toBe(401);
    const results = await Promise.all(Array.from({ length: 7 }, () => login(email, 'wrong-password')));
    expect(results.filter((r) => r.status === 401)).toHaveLength(2);
    expect(results.filter((r) => r.status === 429)).toHaveLength(5);
  });

  it('lets a burst of right passwords through, at once and from one address, far beyond both limits', async () => {
    const email = await registered();
    const from = uniqueClientAddress();
    const results = await Promise.all(Array.from({ length: 12 }, () => login(email, 'password1', from)));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    // None of them counted: the account still has all its failures left.
    for (let i = 0; i < 3; i++) expect((await login(email, 'wrong-password', from)).status).toBe(401);
    expectThrottled(await login(email, 'password1', from));
  });

  it('does not count a refused attempt as a failure of the address', async () => {
    const from = uniqueClientAddress();
    const locked = await registered();
    for (let i = 0; i < 3; i++) expect((await login(locked, 'wrong-password', from)).status).toBe(401);
    for (let i = 0; i < 5; i++) expectThrottled(await login(locked, 'wrong-password', from));
    // 3 of the address's 5 failures used: two more accounts may still be tried from there.
    expect((await login(uniqueEmail(), 'wrong-password', from)).status).toBe(401);
    expect((await login(uniqueEmail(), 'wrong-password', from)).status).toBe(401);
    expectThrottled(await login(uniqueEmail(), 'wrong-password', from));
  });

  it('throttles an unknown email exactly like a known one', async () => {
    const known = await registered();
    const unknown = uniqueEmail();
    for (let i = 0; i < 3; i++) {
      await login(known, 'wrong-password');
      await login(unknown, 'wrong-password');
    }
    const [a, b] = [await login(known, 'wrong-password'), await login(unknown, 'wrong-password')];
    expectThrottled(a);
    expectThrottled(b);
    expect({ ...a.body, requestId: undefined }).toEqual({ ...b.body, requestId: undefined });
  });

  it('forgets an account\'s failures after a successful login', async () => {
    const email = await registered();
    for (let i = 0; i < 2; i++) expect((await login(email, 'wrong-password')).status).toBe(401);
    expect((await login(email, 'password1')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await login(email, 'wrong-password')).status).toBe(401);
    expectThrottled(await login(email, 'password1'));
  });

  it('blocks an address after its failures across accounts (an IPv6 /64 counting as one), sparing other addresses', async () => {
    const victim = await registered();
    const [first, second] = ['2001:db8:ffff:1::1', '2001:db8:ffff:1::2'];
    for (let i = 0; i < 5; i++) expect((await login(uniqueEmail(), 'wrong-password', i % 2 ? first : second)).status).toBe(401);
    expectThrottled(await login(victim, 'password1', first));
    expectThrottled(await login(uniqueEmail(), 'wrong-password', second));
    expect((await login(victim, 'password1', '2001:db8:ffff:2::1')).status).toBe(200);
  });

  it('does not count successful logins against an address, nor let them wipe its failures', async () => {
    const email = await registered();
    const from = uniqueClientAddress();
    for (let i = 0; i < 7; i++) expect((await login(email, 'password1', from)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login(uniqueEmail(), 'wrong-password', from)).status).toBe(401);
    expectThrottled(await login(email, 'password1', from));
  });
});

describe('login throttling window', () => {
  it('lets a throttled account try again once the window has passed', async () => {
    const service = await startAuthService('sqlite', { throttle: { maxFailuresPerAccount: 1, windowMs: 1_000 } });
    try {
      const email = uniqueEmail();
      await service.api.post('/api/auth/register', { email, password: 'password1', name: 'W' });
      expect((await service.api.post('/api/auth/login', { email, password: 'wrong-password' })).status).toBe(401);
      const throttled = await service.api.post('/api/auth/login', { email, password: 'password1' });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await service.api.post('/api/auth/login', { email, password: 'password1' })).status).toBe(200);
    } finally {
      await service.stop();
    }
  });
});

describe('clientAddressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::203.0.113.7', '64:ff9b:0:0::/64'],
    ['unknown', 'unknown'],
  ])('keys %s as %s', (ip, key) => {
    expect(clientAddressKey(ip)).toBe(key);
  });
});
