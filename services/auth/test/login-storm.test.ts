import { HashingGate, PasswordHasher } from '@strangler/auth-api';
import { startAuthService, type RunningAuthService } from '../src/testing';
import { uniqueClientAddress, uniqueEmail } from '@strangler/kit/testing';

/**
 * A login storm (issue #17): hashing is bounded, the excess is answered at once with 503 AUTH_BUSY
 * and Retry-After — never left to time out — and a shed login is not a failed login.
 */
describe('a login storm on one auth service instance', () => {
  let service: RunningAuthService;
  beforeAll(async () => {
    const passwords = new PasswordHasher({ gate: new HashingGate({ concurrency: 1, maxQueue: 2 }) });
    service = await startAuthService('sqlite', { passwords, throttle: { maxFailuresPerAccount: 1 } });
  });
  afterAll(async () => {
    await service.stop();
  });

  it('is answered: a few logins at a time are checked, the rest shed at once with 503 + Retry-After, and a shed login is not a failure', async () => {
    // Many accounts at once (one account's guesses are already serialised by the throttle).
    const emails = Array.from({ length: 30 }, () => uniqueEmail());
    const login = (email: string) =>
      service.api.post('/api/auth/login', { email, password: 'wrong-password' }, { headers: { 'x-forwarded-for': uniqueClientAddress() } });
    const storm = await Promise.all(emails.map(login));
    expect(storm.every((r) => r.status === 401 || r.status === 503)).toBe(true);
    const shed = emails.filter((_, i) => storm[i]!.status === 503);
    expect(shed.length).toBeGreaterThan(0);
    for (const res of storm.filter((r) => r.status === 503)) {
      expect(res.body).toMatchObject({ code: 'AUTH_BUSY', retryable: true });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // One failure locks an account here: a checked one is now 429, a shed one was never counted.
    const checked = emails.find((_, i) => storm[i]!.status === 401)!;
    expect((await login(checked)).status).toBe(429);
    expect((await login(shed[0]!)).status).toBe(401);
  });
});
