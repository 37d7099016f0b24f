import { randomUUID } from 'node:crypto';
import { httpClient } from '@strangler/kit/testing';
import { stackProcesses, warnings, type StackProcesses } from '@strangler/auth-service/testing';

jest.setTimeout(120_000);

/** SESSION_REVOCATION_BOUND_MS's default: the worst-case delay decision 0027 states. */
const BOUND_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sessions without a hop per request (issue #17, decision 0027), with real processes wired as
 * `npm start` does: the payments service (and each side, for the other's tokens) remembers a peer's
 * "active" answer, and a logout anywhere ends the session everywhere within the bound, also while
 * a peer is down.
 */
describe('session validity caches across the monolith, the auth service and the payments service', () => {
  let stack: StackProcesses;
  beforeAll(async () => {
    stack = await stackProcesses(['monolith', 'auth', 'payments']);
    // Every cache answers only once each peer's revocation feed was read.
    await sleep(BOUND_MS);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const api = (side: 'monolith' | 'auth' | 'payments') => httpClient(stack.url[side]);
  const newToken = async (side: 'monolith' | 'auth') => {
    const res = await api(side).post('/api/auth/register', { email: `s-${randomUUID()}@example.com`, password: 'correct horse', name: 'S' });
    if (res.status !== 201) throw new Error(`register on ${side}: ${res.status} ${res.text}`);
    return res.body.token as string;
  };
  const pay = (token: string) => api('payments').post('/api/payments', { amount: '1.00', currency: 'USD' }, { token, headers: { 'idempotency-key': randomUUID() } });
  const lookupsServedBy = async (side: 'monolith' | 'auth') => {
    const metrics = (await api(side).get('/metrics')).text;
    const lines = metrics.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count') && line.includes('route="/internal/sessions/:tokenHash"'));
    return lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  };

  /** Sends `request` until it answers `until`, and returns every answer with when it was sent. */
  async function watch(request: () => Promise<{ status: number }>, until: number, forMs = 3 * BOUND_MS) {
    const seen: Array<{ sentAt: number; status: number }> = [];
    const started = Date.now();
    while (Date.now() - started < forMs) {
      const sentAt = Date.now();
      const { status } = await request();
      seen.push({ sentAt, status });
      if (status === until) break;
      await sleep(20);
    }
    return seen;
  }

  it('creates payments with a monolith token without asking a peer per request, and the auth service logs no warning for "unknown to me"', async () => {
    const token = await newToken('monolith');
    expect((await pay(token)).status).toBe(201);
    const before = await lookupsServedBy('monolith');
    for (let i = 0; i < 20; i++) expect((await pay(token)).status).toBe(201);
    expect((await lookupsServedBy('monolith')) - before).toBeLessThanOrEqual(1);
    expect(warnings(stack.proc.auth!.output())).toEqual([]);
    expect(warnings(stack.proc.payments!.output())).toEqual([]);
  });

  it('a logout on the monolith ends the session on the payments service within the bound', async () => {
    const token = await newToken('monolith');
    expect((await pay(token)).status).toBe(201);
    expect((await api('monolith').post('/api/auth/logout', undefined, { token })).status).toBe(204);
    const loggedOutAt = Date.now();
    const seen = await watch(() => pay(token), 401);
    expect(seen.at(-1)?.status).toBe(401);
    // Nothing sent after the bound was accepted (what was accepted before it is allowed).
    expect(seen.filter((s) => s.sentAt > loggedOutAt + BOUND_MS && s.status !== 401)).toEqual([]);
  });

  it('a logout on the auth service, then immediate use on the monolith: refused within the bound', async () => {
    const token = await newToken('auth');
    expect((await api('monolith').get('/api/auth/me', { token })).status).toBe(200);
    expect((await api('auth').post('/api/auth/logout', undefined, { token })).status).toBe(204);
    const loggedOutAt = Date.now();
    const seen = await watch(() => api('monolith').get('/api/auth/me', { token }), 401);
    expect(seen.at(-1)?.status).toBe(401);
    expect(seen.filter((s) => s.sentAt > loggedOutAt + BOUND_MS && s.status !== 401)).toEqual([]);
  });

  it('with the auth service down: a monolith logout still ends the session on payments within the bound, and auth tokens turn 503, never stay 200', async () => {
    const monolithToken = await newToken('monolith');
    const authToken = await newToken('auth');
    expect((await pay(monolithToken)).status).toBe(201);
    expect((await pay(authToken)).status).toBe(201);
    await stack.kill('auth');
    try {
      const downAt = Date.now();
      expect((await api('monolith').post('/api/auth/logout', undefined, { token: monolithToken })).status).toBe(204);
      const loggedOutAt = Date.now();
      const refused = await watch(() => pay(monolithToken), 401);
      expect(refused.at(-1)?.status).toBe(401);
      expect(refused.filter((s) => s.sentAt > loggedOutAt + BOUND_MS && s.status !== 401)).toEqual([]);

      const unsure = await watch(() => pay(authToken), 503);
      expect(unsure.at(-1)?.status).toBe(503);
      expect(unsure.filter((s) => s.sentAt > downAt + BOUND_MS && s.status === 201)).toEqual([]);
    } finally {
      await stack.start('auth');
    }
    // Back: the auth token works again (it was never logged out).
    await sleep(BOUND_MS);
    expect((await pay(authToken)).status).toBe(201);
  });
});
