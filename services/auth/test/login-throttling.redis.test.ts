import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisAvailable, TEST_REDIS_URL, uniqueClientAddress, uniqueEmail } from '@strangler/kit/testing';
import { LoginThrottle, type LoginThrottleLimits } from '@strangler/auth-api';
import { startAuthService, type RunningAuthService } from '../src/testing';

const describeWithRedis = redisAvailable() ? describe : describe.skip;
const limits: LoginThrottleLimits = { maxFailuresPerAccount: 3, maxFailuresPerAddress: 5, windowMs: 60_000 };

describeWithRedis('login throttling shared through Redis by two instances', () => {
  let redis: Redis;
  let first: RunningAuthService;
  let second: RunningAuthService;
  let prefix: string;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
    await redis.connect();
    // A prefix of this run's own, so runs and other suites never share counts.
    prefix = `strangler-test:${randomUUID()}`;
    [first, second] = await Promise.all([
      startAuthService('sqlite', { loginThrottle: LoginThrottle.redis(redis, limits, prefix) }),
      startAuthService('sqlite', { loginThrottle: LoginThrottle.redis(redis, limits, prefix) }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  const login = (service: RunningAuthService, email: string, password: string, from = uniqueClientAddress()) =>
    service.api.post('/api/auth/login', { email, password }, { headers: { 'x-forwarded-for': from } });
  const registeredOn = async (service: RunningAuthService) => {
    const email = uniqueEmail();
    expect((await service.api.post('/api/auth/register', { email, password: 'password1', name: 'R' })).status).toBe(201);
    return email;
  };

  it("blocks an account on one instance after its failures on the other, even with the right password", async () => {
    const email = await registeredOn(second);
    // The account exists only on the second instance's database: unknown emails count the same way.
    for (let i = 0; i < 3; i++) expect((await login(first, email, 'wrong-password')).status).toBe(401);
    const throttled = await login(second, email, 'password1');
    expect(throttled.status).toBe(429);
    expect(throttled.body).toMatchObject({ code: 'AUTH_TOO_MANY_ATTEMPTS' });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(55);
    expect(await redis.exists(`${prefix}:login-account:${email}`)).toBe(1);
  });

  it('shares an address count, and a success on one instance clears the account failures made on the other', async () => {
    const email = await registeredOn(second);
    const from = uniqueClientAddress();
    for (let i = 0; i < 2; i++) expect((await login(first, email, 'wrong-password', from)).status).toBe(401);
    expect((await login(second, email, 'password1', from)).status).toBe(200);
    expect((await login(first, email, 'wrong-password', from)).status).toBe(401);
    // The address has 3 of its 5 failures; two more accounts, then it is refused on both instances.
    for (const service of [first, second]) expect((await login(service, uniqueEmail(), 'wrong-password', from)).status).toBe(401);
    expect((await login(second, email, 'password1', from)).status).toBe(429);
    expect((await login(first, email, 'password1', from)).status).toBe(429);
  });

  it('lets a burst of right passwords through on both instances at once', async () => {
    const email = uniqueEmail();
    for (const service of [first, second]) {
      expect((await service.api.post('/api/auth/register', { email, password: 'password1', name: 'B' })).status).toBe(201);
    }
    const from = uniqueClientAddress();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => login(i % 2 ? first : second, email, 'password1', from)));
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
  });
});
