import { listen } from '@strangler/kit';
import { newInternalToken, testDialects, uniqueEmail } from '@strangler/kit/testing';
import { startAuthService, type RunningAuthService } from '../src/testing';
import { startMonolith, type RunningMonolith } from '@strangler/monolith/testing';

describe.each(testDialects())('sessions across the monolith and the auth service, on %s', (dialect) => {
  let monolith: RunningMonolith;
  let service: RunningAuthService;
  beforeAll(async () => {
    const internalToken = newInternalToken();
    // Each side needs the other's URL: the service reads its peer list lazily, so it can start first.
    service = await startAuthService(dialect, { internalToken, peers: () => [monolith.url] });
    monolith = await startMonolith(dialect, { internalToken, authPeers: [service.url] });
  });
  afterAll(async () => {
    await Promise.all([monolith?.stop(), service?.stop()]);
  });

  it('accepts a monolith token on the service, and a logout there ends it on the monolith', async () => {
    const registered = await monolith.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password1', name: 'M' });
    const token = registered.body.token;
    const me = await service.api.get('/api/auth/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: registered.body.user });

    const logout = await service.api.post('/api/auth/logout', undefined, { token });
    expect(logout.status).toBe(204);
    expect((await monolith.api.get('/api/auth/me', { token })).status).toBe(401);
    expect((await service.api.get('/api/auth/me', { token })).status).toBe(401);
    expect((await service.api.post('/api/auth/logout', undefined, { token })).status).toBe(401);
  });

  it('accepts a service token on the monolith, and a logout there ends it on the service', async () => {
    const registered = await service.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password1', name: 'S' });
    const token = registered.body.token;
    const me = await monolith.api.get('/api/auth/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: registered.body.user });

    expect((await monolith.api.post('/api/auth/logout', undefined, { token })).status).toBe(204);
    const after = await service.api.get('/api/auth/me', { token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('AUTH_UNAUTHENTICATED');
    expect((await monolith.api.get('/api/auth/me', { token })).status).toBe(401);
  });

  it('answers 401 (not 503) for a token neither side knows', async () => {
    const res = await service.api.get('/api/auth/me', { token: 'a'.repeat(43) });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH_UNAUTHENTICATED');
  });
});

describe('the auth service when its peer is down', () => {
  let service: RunningAuthService;
  let peers: string[] = [];
  beforeAll(async () => {
    // A port that was just free: nothing listens there any more.
    const gone = await listen((_req, res) => res.end(), 0, '127.0.0.1');
    await gone.close(0);
    peers = [gone.url];
    service = await startAuthService('sqlite', { internalToken: newInternalToken(), peers: () => peers, peerTimeoutMs: 500 });
  });
  afterAll(async () => {
    await service.stop();
  });

  it('answers 503 AUTH_SESSION_STORE_UNAVAILABLE for a token it does not know, never 401', async () => {
    const res = await service.api.get('/api/auth/me', { token: 'b'.repeat(43) });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body).toMatchObject({ code: 'AUTH_SESSION_STORE_UNAVAILABLE', status: 503, retryable: true });
  });

  it('still serves and ends its own sessions', async () => {
    // Registration needs the peer (one email, one account: decision 0028); register while it is up.
    const down = peers;
    peers = [];
    const registered = await service.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password1', name: 'S' }).finally(() => (peers = down));
    expect((await service.api.get('/api/auth/me', { token: registered.body.token })).status).toBe(200);
    expect((await service.api.post('/api/auth/logout', undefined, { token: registered.body.token })).status).toBe(204);
    expect((await service.api.get('/api/auth/me', { token: registered.body.token })).status).toBe(401);
  });

  it('still answers 401 without asking when there is no bearer token', async () => {
    expect((await service.api.get('/api/auth/me')).status).toBe(401);
  });
});
