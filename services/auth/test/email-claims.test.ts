import { randomUUID } from 'node:crypto';
import { EMAIL_CLAIM_TTL_MS } from '@strangler/auth-api';
import { startMonolith, type RunningMonolith } from '@strangler/monolith/testing';
import { startAuthService, type RunningAuthService } from '../src/testing';
import { newInternalToken, uniqueEmail, type RunningTestApp } from '@strangler/kit/testing';

/** One clock for both sides, moved by the test: claims expire without waiting. */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

/**
 * Claims left by a registration that died between claiming and committing (found by the cutover
 * drill: the auth service SIGKILLed with registrations in flight, whose client retries then got 409
 * for an email nobody had). Such a claim holds the email only until it expires, and the answer
 * meanwhile is "retry", never "taken".
 */
describe('email claims left by a registration that died', () => {
  let monolith: RunningMonolith;
  let service: RunningAuthService;
  beforeAll(async () => {
    const internalToken = newInternalToken();
    service = await startAuthService('sqlite', { clock, internalToken, peers: () => [monolith.url] });
    monolith = await startMonolith('sqlite', { clock, internalToken, authPeers: [service.url] });
  });
  afterAll(async () => {
    await Promise.all([monolith?.stop(), service?.stop()]);
  });

  const register = (side: RunningTestApp, email: string) =>
    side.api.post('/api/auth/register', { email, password: 'correct horse', name: 'R' });
  const staleClaim = (side: RunningTestApp, email: string, holder: 'local' | 'peer') =>
    side.db.knex('email_claims').insert({ email, claim_id: randomUUID(), holder, expires_at: new Date(clock.now().getTime() + EMAIL_CLAIM_TTL_MS) });

  it.each([
    ['its own side', 'local'],
    ['the peer', 'peer'],
  ] as const)('a dead registration\'s claim on %s: 503 + Retry-After until it expires, then the retry registers', async (where, holder) => {
    const email = uniqueEmail();
    await staleClaim(where === 'its own side' ? service : monolith, email, holder);
    const refused = await register(service, email);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'AUTH_REGISTRATION_UNAVAILABLE', retryable: true });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await service.db.knex('users').where({ email }).first()).toBeUndefined();
    offsetMs += EMAIL_CLAIM_TTL_MS + 1;
    expect((await register(service, email)).status).toBe(201);
    expect((await register(monolith, email)).status).toBe(409);
  });

  it('an account on the other side is 409 AUTH_EMAIL_TAKEN, and leaves no claim behind', async () => {
    const email = uniqueEmail();
    expect((await register(monolith, email)).status).toBe(201);
    const taken = await register(service, email);
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('AUTH_EMAIL_TAKEN');
    for (const side of [monolith, service]) expect(await side.db.knex('email_claims').where({ email }).first()).toBeUndefined();
  });
});
