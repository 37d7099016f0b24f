import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '@strangler/kit';
import { newInternalToken, redisAvailable, TEST_REDIS_URL, uniqueClientAddress, uniqueEmail, type RunningTestApp } from '@strangler/kit/testing';
import { LoginThrottle, PeerThrottleSharing, type LoginThrottleLimits } from '@strangler/auth-api';
import { startMonolith, type RunningMonolith } from '@strangler/monolith/testing';
import { startAuthService, type RunningAuthService } from '../src/testing';

const limits: LoginThrottleLimits = { maxFailuresPerAccount: 3, maxFailuresPerAddress: 5, windowMs: 60_000 };
type Side = RunningTestApp; // the monolith or the auth service

/**
 * Issue #14 §4 / #18: at auth `live 50%` a guesser whose requests land on either side must meet the
 * same lock (decision 0029). Both sides run the shared throttle; without Redis each tells the other
 * of every outcome, with Redis both count in one place.
 */
type Throttles = (internalToken: string, urls: { monolith: () => string; service: () => string }) => Promise<{ monolith: LoginThrottle; service: LoginThrottle; close(): Promise<void> }>;

function throttleSuite(name: string, throttles: Throttles) {
  describe(name, () => {
    let monolith: RunningMonolith;
    let service: RunningAuthService;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const internalToken = newInternalToken();
      const made = await throttles(internalToken, { monolith: () => monolith?.url ?? '', service: () => service?.url ?? '' });
      close = () => made.close();
      service = await startAuthService('sqlite', { internalToken, peers: () => (monolith ? [monolith.url] : []), loginThrottle: made.service });
      monolith = await startMonolith('sqlite', { internalToken, authPeers: [service.url], loginThrottle: made.monolith });
    });
    afterAll(async () => {
      await Promise.all([monolith?.stop(), service?.stop()]);
      await close?.();
    });

    const login = (side: Side, email: string, password: string, from = uniqueClientAddress()) =>
      side.api.post('/api/auth/login', { email, password }, { headers: { 'x-forwarded-for': from } });
    const registered = async () => {
      const email = uniqueEmail();
      expect((await monolith.api.post('/api/auth/register', { email, password: 'password1', name: 'T' })).status).toBe(201);
      return email;
    };

    it('an account locked by guesses on the service is locked on the monolith, even for the right password', async () => {
      // Registered on the monolith (not synced here): on the service the guesses are unknown-email
      // failures, counted exactly like wrong passwords.
      const email = await registered();
      for (let i = 0; i < limits.maxFailuresPerAccount; i++) expect((await login(service, email, 'wrong-password')).status).toBe(401);
      for (const side of [service, monolith]) {
        const refused = await login(side, email, 'password1');
        expect(refused.status).toBe(429);
        expect(refused.body.code).toBe('AUTH_TOO_MANY_ATTEMPTS');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    });

    it('guesses alternating between the sides count once each, against one limit', async () => {
      const email = await registered();
      const sides = [monolith, service, monolith];
      for (const side of sides) expect((await login(side, email, 'wrong-password')).status).toBe(401);
      expect((await login(service, email, 'wrong-password')).status).toBe(429);
      expect((await login(monolith, email, 'password1')).status).toBe(429);
    });

    it('a right password on one side clears the account on both', async () => {
      const email = await registered();
      for (let i = 0; i < limits.maxFailuresPerAccount - 1; i++) expect((await login(service, email, 'wrong-password')).status).toBe(401);
      expect((await login(monolith, email, 'password1')).status).toBe(200);
      // Had the service kept its count, the second of these would reach the limit and the login a 429.
      for (let i = 0; i < limits.maxFailuresPerAccount - 1; i++) expect((await login(service, email, 'wrong-password')).status).toBe(401);
      expect((await login(monolith, email, 'password1')).status).toBe(200);
    });

    it('one client address is limited across both sides too', async () => {
      const from = uniqueClientAddress();
      for (let i = 0; i < limits.maxFailuresPerAddress; i++) {
        expect((await login(i % 2 ? monolith : service, uniqueEmail(), 'wrong-password', from)).status).toBe(401);
      }
      expect((await login(monolith, uniqueEmail(), 'wrong-password', from)).status).toBe(429);
      expect((await login(service, uniqueEmail(), 'wrong-password', from)).status).toBe(429);
    });
  });
}

const quiet = createLogger({ name: 'throttle-test', level: 'silent' });

throttleSuite('login throttling across both sides, in memory (each side tells the other)', async (internalToken, urls) => {
  const tellingThe = (peer: () => string) => new PeerThrottleSharing({ peers: () => [peer()].filter(Boolean), internalToken, timeoutMs: 1_000, logger: quiet });
  return {
    monolith: LoginThrottle.inMemory(limits).shareWith(tellingThe(urls.service)),
    service: LoginThrottle.inMemory(limits).shareWith(tellingThe(urls.monolith)),
    close: async () => undefined,
  };
});

(redisAvailable() ? throttleSuite : describe.skip)('login throttling across both sides, counted in one Redis', async () => {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, enableOfflineQueue: false });
  await redis.connect();
  const prefix = `strangler-test:${randomUUID()}`;
  return {
    monolith: LoginThrottle.redis(redis, limits, prefix),
    service: LoginThrottle.redis(redis, limits, prefix),
    close: async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
});
