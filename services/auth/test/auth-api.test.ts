import { testDialects, uniqueEmail } from '@strangler/kit/testing';
import { CURRENT_ARGON2_PARAMS, formatArgon2Params } from '@strangler/auth-api';
import { startAuthService, type RunningAuthService } from '../src/testing';

// The full behavioural suite is shared with the monolith; this covers what is the service's own.
describe.each(testDialects())('auth service API on %s', (dialect) => {
  let service: RunningAuthService;
  beforeAll(async () => {
    service = await startAuthService(dialect);
  });
  afterAll(async () => {
    await service.stop();
  });

  const register = (body: Record<string, unknown>) => service.api.post('/api/auth/register', body);

  it('registers, returning a working session, and stores an argon2id hash with its parameters', async () => {
    const email = uniqueEmail();
    const res = await register({ email: `  ${email.toUpperCase()} `, password: 'correct horse', name: ' Ada ' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), email, name: 'Ada', createdAt: expect.any(String) },
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    const me = await service.api.get('/api/auth/me', { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: res.body.user });

    const credential = await service.db.knex('credentials').where({ user_id: res.body.user.id }).first();
    expect(credential).toMatchObject({ scheme: 'argon2id', params: formatArgon2Params(CURRENT_ARGON2_PARAMS) });
    expect(credential.params).toBe('m=19456,t=2,p=1');
    expect(credential.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(credential.salt).toMatch(/^[0-9a-f]{32}$/);
    const session = await service.db.knex('sessions').where({ user_id: res.body.user.id }).first();
    expect(session.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const everything = JSON.stringify(await Promise.all(['users', 'credentials', 'sessions'].map((t) => service.db.knex(t).select())));
    expect(everything).not.toContain('correct horse');
    expect(everything).not.toContain(res.body.token);
  });

  it('refuses a second account for the same email in any case, and lets one of concurrent registrations win', async () => {
    const email = uniqueEmail();
    const results = await Promise.all([1, 2, 3].map((n) => register({ email: n === 1 ? email : email.toUpperCase(), password: 'password1', name: `N${n}` })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const taken = results.find((r) => r.status === 409)!;
    expect(taken.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(taken.body).toMatchObject({ code: 'AUTH_EMAIL_TAKEN', status: 409, title: 'Email already registered' });
    const users = await service.db.knex('users').where({ email }).select('id');
    expect(users).toHaveLength(1);
    expect(await service.db.knex('credentials').where({ user_id: users[0].id }).select('user_id')).toHaveLength(1);
  });

  it('logs in with the right password, whatever the email case, and refuses a wrong one like an unknown email', async () => {
    const email = uniqueEmail();
    const registered = await register({ email, password: 'password1', name: 'A' });
    const res = await service.api.post('/api/auth/login', { email: email.toUpperCase(), password: 'password1' });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual(registered.body.user);
    expect(res.body.token).not.toBe(registered.body.token);

    const wrongPassword = await service.api.post('/api/auth/login', { email, password: 'password2' });
    const unknownEmail = await service.api.post('/api/auth/login', { email: uniqueEmail(), password: 'password1' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(wrongPassword.body)).toEqual(strip(unknownEmail.body));
    expect(wrongPassword.body.code).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('ends only the logged-out session, and answers 401 with WWW-Authenticate afterwards', async () => {
    const email = uniqueEmail();
    const first = await register({ email, password: 'password1', name: 'A' });
    const second = await service.api.post('/api/auth/login', { email, password: 'password1' });
    const logout = await service.api.post('/api/auth/logout', undefined, { token: first.body.token });
    expect(logout.status).toBe(204);
    expect(logout.text).toBe('');
    const me = await service.api.get('/api/auth/me', { token: first.body.token });
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('AUTH_UNAUTHENTICATED');
    expect(me.headers.get('www-authenticate')).toBe('Bearer');
    expect((await service.api.post('/api/auth/logout', undefined, { token: first.body.token })).status).toBe(401);
    expect((await service.api.get('/api/auth/me', { token: second.body.token })).status).toBe(200);
  });
});

describe('auth service session expiry', () => {
  it('gives expiresAt = now + SESSION_TTL_MS and stops accepting the token at that instant', async () => {
    let now = new Date('2030-01-01T00:00:00.000Z');
    const service = await startAuthService('sqlite', { clock: { now: () => now }, sessionTtlMs: 60_000 });
    try {
      const res = await service.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password1', name: 'A' });
      expect(res.body.expiresAt).toBe('2030-01-01T00:01:00.000Z');
      expect(res.body.user.createdAt).toBe('2030-01-01T00:00:00.000Z');
      now = new Date('2030-01-01T00:00:59.999Z');
      expect((await service.api.get('/api/auth/me', { token: res.body.token })).status).toBe(200);
      now = new Date('2030-01-01T00:01:00.000Z');
      expect((await service.api.get('/api/auth/me', { token: res.body.token })).status).toBe(401);
    } finally {
      await service.stop();
    }
  });
});
