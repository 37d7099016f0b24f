import { httpClient, uniqueEmail } from '@strangler/kit/testing';
import { stackProcesses, type StackProcesses } from '../src/testing';

jest.setTimeout(120_000);

/**
 * Issue #11 §3: while auth is in transition, one email registered at once through each side (one
 * client bucketed to each) must not give two accounts. Real processes, wired as `npm start` does.
 */
describe('one email, one account across the monolith and the auth service', () => {
  let stack: StackProcesses;
  beforeAll(async () => {
    stack = await stackProcesses(['monolith', 'auth']);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const register = (side: 'monolith' | 'auth', email: string) =>
    httpClient(stack.url[side]).post('/api/auth/register', { email, password: 'correct horse', name: side });
  /** As a client does: a 503 with Retry-After is tried again (a few times). */
  const registerRetrying = async (side: 'monolith' | 'auth', email: string) => {
    for (let attempt = 1; ; attempt++) {
      const res = await register(side, email);
      if (res.status !== 503 || attempt === 10) return res;
      await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get('retry-after')) * 1000));
    }
  };

  it('two registrations of one email at once, one through each side: never two accounts', async () => {
    const emails = Array.from({ length: 12 }, () => uniqueEmail());
    const results = await Promise.all(emails.map((email) => Promise.all([register('monolith', email), register('auth', email)])));
    for (const [index, [onMonolith, onAuth]] of results.entries()) {
      const email = emails[index]!;
      expect([onMonolith, onAuth].filter((r) => r.status === 201).length).toBeLessThanOrEqual(1);
      // The other is told the email is taken, or (its registration lost the race while the winner's
      // was still in flight, or a peer was too slow to answer) to retry.
      for (const res of [onMonolith, onAuth].filter((r) => r.status !== 201)) {
        expect([`409 AUTH_EMAIL_TAKEN`, `503 AUTH_REGISTRATION_UNAVAILABLE`]).toContain(`${res.status} ${res.body?.code}`);
      }
      let winner = onMonolith.status === 201 ? 'monolith' : onAuth.status === 201 ? 'auth' : undefined;
      if (!winner) {
        expect((await registerRetrying('auth', email)).status).toBe(201);
        winner = 'auth';
      }
      // The winner logs in on its side; a later registration through either side is refused.
      expect((await httpClient(stack.url[winner as 'auth']).post('/api/auth/login', { email, password: 'correct horse' })).status).toBe(200);
      for (const side of ['monolith', 'auth'] as const) expect((await registerRetrying(side, email)).status).toBe(409);
    }
    // The race was real, and decided: most pairs got exactly one 201 at once.
    expect(results.filter(([a, b]) => [a.status, b.status].filter((status) => status === 201).length === 1).length).toBeGreaterThanOrEqual(emails.length / 2);
  });

  it('a registration on one side is refused on the other before any sync carried it', async () => {
    const email = uniqueEmail();
    expect((await register('auth', email)).status).toBe(201);
    const again = await register('monolith', email);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('AUTH_EMAIL_TAKEN');
  });

  it('fails closed with a retryable 503 while the peer is down, creating nothing, and works again once it is back', async () => {
    await stack.kill('auth');
    try {
      const email = uniqueEmail();
      const refused = await register('monolith', email);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ code: 'AUTH_REGISTRATION_UNAVAILABLE', retryable: true });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Nothing was created: the same email registers once the peer is back.
      await stack.start('auth');
      expect((await register('monolith', email)).status).toBe(201);
      expect((await register('auth', email)).status).toBe(409);
    } finally {
      if (!stack.proc.auth || stack.proc.auth.child.exitCode !== null || stack.proc.auth.child.signalCode !== null) await stack.start('auth');
    }
  });
});
