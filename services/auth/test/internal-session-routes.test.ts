import { hashToken } from '@strangler/kit';
import { newInternalToken, testDialects, uniqueEmail } from '@strangler/kit/testing';
import { startAuthService, type RunningAuthService } from '../src/testing';

describe.each(testDialects())('internal session endpoints of the auth service on %s', (dialect) => {
  const internalToken = newInternalToken();
  let service: RunningAuthService;
  beforeAll(async () => {
    service = await startAuthService(dialect, { internalToken });
  });
  afterAll(async () => {
    await service.stop();
  });

  const asPeer = (token = internalToken) => ({ headers: { 'x-internal-token': token } });

  it('tell a peer about an active session, then an ended one, by the hash of its token', async () => {
    const registered = await service.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password1', name: 'P' });
    const path = `/internal/sessions/${hashToken(registered.body.token)}`;
    const active = await service.api.get(path, asPeer());
    expect(active.status).toBe(200);
    expect(active.body).toEqual({ user: registered.body.user, expiresAt: registered.body.expiresAt });

    expect((await service.api.post(`${path}/revoke`, undefined, asPeer())).status).toBe(204);
    const ended = await service.api.get(path, asPeer());
    expect(ended.status).toBe(410);
    expect(ended.body.code).toBe('SESSION_ENDED');
    expect((await service.api.get(`/internal/sessions/${'0'.repeat(64)}`, asPeer())).status).toBe(404);
  });

  it('answer callers of protocol 2 in the body, so "unknown to me" is a routine 200', async () => {
    const v2 = { headers: { 'x-internal-token': internalToken, 'x-session-protocol': '2' } };
    const registered = await service.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password1', name: 'P' });
    const path = `/internal/sessions/${hashToken(registered.body.token)}`;
    expect((await service.api.get(path, v2)).body).toEqual({ state: 'active', user: registered.body.user, expiresAt: registered.body.expiresAt });
    expect(await service.api.get(`/internal/sessions/${'0'.repeat(64)}`, v2)).toMatchObject({ status: 200, body: { state: 'unknown' } });
    expect(await service.api.post(`/internal/sessions/${'0'.repeat(64)}/revoke`, undefined, v2)).toMatchObject({ status: 200, body: { revoked: false } });
    expect(await service.api.post(`${path}/revoke`, undefined, v2)).toMatchObject({ status: 200, body: { revoked: true } });
    expect((await service.api.get(path, v2)).body).toEqual({ state: 'ended' });
  });

  it('serve the revocation feed from a moment of this side\'s clock', async () => {
    const first = await service.api.get('/internal/sessions/revocations', asPeer());
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ now: expect.any(Number), revoked: [], truncated: false });
    const registered = await service.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password1', name: 'P' });
    expect((await service.api.post('/api/auth/logout', undefined, { token: registered.body.token })).status).toBe(204);
    const next = await service.api.get(`/internal/sessions/revocations?since=${first.body.now}`, asPeer());
    expect(next.body.revoked).toContain(hashToken(registered.body.token));
    for (const since of ['abc', '-1', '1e3', '99999999999999999999']) {
      expect((await service.api.get(`/internal/sessions/revocations?since=${since}`, asPeer())).status).toBe(400);
    }
  });

  it('refuse malformed email claims and throttle events with 400, changing nothing', async () => {
    for (const body of [{}, { email: 'a@b.c' }, { email: 'a@b.c', claimId: 'not-a-uuid' }, { email: 5, claimId: '6f1b4c1e-8a0e-4a36-9a53-0c8d1f0f6b11' }]) {
      const res = await service.api.post('/internal/email-claims', body, asPeer());
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
    expect(Number((await service.db.knex('email_claims').count({ n: '*' }).first())?.n)).toBe(0);
    for (const body of [{}, { kind: 'failure', account: 'a@b.c' }, { kind: 'reset', account: 'a@b.c' }, { kind: 'success', account: '' }]) {
      expect((await service.api.post('/internal/login-throttle/events', body, asPeer())).status).toBe(400);
    }
  });

  it('reject a wrong or missing internal token with 401, on every internal endpoint', async () => {
    const path = `/internal/sessions/${'0'.repeat(64)}`;
    for (const options of [asPeer('x'.repeat(48)), asPeer(`${internalToken}x`), {}]) {
      const res = await service.api.get(path, options);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('INTERNAL_UNAUTHORIZED');
    }
    const wrong = asPeer('x'.repeat(48));
    expect((await service.api.post(`${path}/revoke`, undefined, wrong)).status).toBe(401);
    expect((await service.api.get('/internal/sessions/revocations', wrong)).status).toBe(401);
    expect((await service.api.post('/internal/email-claims', { email: 'a@b.c', claimId: '6f1b4c1e-8a0e-4a36-9a53-0c8d1f0f6b11' }, wrong)).status).toBe(401);
    expect((await service.api.request('DELETE', '/internal/email-claims/6f1b4c1e-8a0e-4a36-9a53-0c8d1f0f6b11', undefined, wrong)).status).toBe(401);
    expect((await service.api.post('/internal/login-throttle/events', { kind: 'success', account: 'a@b.c' }, wrong)).status).toBe(401);
  });
});

describe('internal session endpoints without an internal token configured', () => {
  it('do not exist', async () => {
    const service = await startAuthService('sqlite');
    try {
      const res = await service.api.get(`/internal/sessions/${'0'.repeat(64)}`, { headers: { 'x-internal-token': 'anything' } });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ROUTE_NOT_FOUND');
    } finally {
      await service.stop();
    }
  });
});
