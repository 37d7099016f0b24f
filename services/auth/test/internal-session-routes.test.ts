import { hashToken } from '@strangler/kit';
import { testDialects } from '@strangler/kit/testing';
import { startAuthService, type RunningAuthService } from './support/start-auth-service';
import { newInternalToken, uniqueEmail } from './support/test-data';

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

  it('reject a wrong or missing internal token with 401', async () => {
    const path = `/internal/sessions/${'0'.repeat(64)}`;
    for (const options of [asPeer('x'.repeat(48)), asPeer(`${internalToken}x`), {}]) {
      const res = await service.api.get(path, options);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('INTERNAL_UNAUTHORIZED');
    }
    expect((await service.api.post(`${path}/revoke`, undefined, asPeer('x'.repeat(48)))).status).toBe(401);
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
