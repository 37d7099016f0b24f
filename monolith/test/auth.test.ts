import { randomUUID } from 'node:crypto';
import { testDialects } from '@strangler/kit/testing';
import { startMonolith, type RunningMonolith } from './support/start-monolith';

const uniqueEmail = () => `user-${randomUUID()}@example.com`;

describe.each(testDialects())('monolith auth API on %s', (dialect) => {
  let monolith: RunningMonolith;
  beforeAll(async () => {
    monolith = await startMonolith(dialect);
  });
  afterAll(async () => {
    await monolith.stop();
  });

  const register = (body: Record<string, unknown>) => monolith.api.post('/api/auth/register', body);

  describe('register', () => {
    it('creates a user and returns a working session', async () => {
      const email = uniqueEmail();
      const res = await register({ email, password: 'correct horse', name: 'Ada Lovelace' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        user: { id: expect.any(String), email, name: 'Ada Lovelace', createdAt: expect.any(String) },
        token: expect.any(String),
        expiresAt: expect.any(String),
      });
      expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
      const me = await monolith.api.get('/api/auth/me', { token: res.body.token });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ user: res.body.user });
    });

    it('normalises the email so case and spaces cannot create a duplicate', async () => {
      const email = uniqueEmail();
      expect((await register({ email, password: 'password1', name: 'A' })).status).toBe(201);
      const again = await register({ email: `  ${email.toUpperCase()} `, password: 'password1', name: 'B' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('AUTH_EMAIL_TAKEN');
      expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });

    it.each([
      [{ password: 'password1', name: 'A' }, 'email'],
      [{ email: 'not-an-email', password: 'password1', name: 'A' }, 'email'],
      [{ email: 'x@example.com', password: 'short', name: 'A' }, 'password'],
      [{ email: 'x@example.com', password: 'p'.repeat(129), name: 'A' }, 'password'],
      [{ email: 'x@example.com', password: 'password1', name: '   ' }, 'name'],
      [{ email: 'x@example.com', password: 12345678, name: 'A' }, 'password'],
      [{ email: 'x@example.com', password: 'password1', name: 'n'.repeat(101) }, 'name'],
    ])('rejects %j naming %s, writing nothing', async (body, field) => {
      const res = await register(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(res.body.detail).toContain(field);
      const count = await monolith.db.knex('users').where({ email: 'x@example.com' }).count({ n: '*' }).first();
      expect(Number(count?.n)).toBe(0);
    });

    it('rejects a JSON array body', async () => {
      const res = await monolith.api.request('POST', '/api/auth/register', ['a']);
      expect(res.status).toBe(400);
    });

    it('lets exactly one of two concurrent registrations of one email win', async () => {
      const email = uniqueEmail();
      const results = await Promise.all([1, 2, 3].map((n) => register({ email, password: 'password1', name: `N${n}` })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    });
  });

  describe('login', () => {
    it('returns a new session for the right password', async () => {
      const email = uniqueEmail();
      const registered = await register({ email, password: 'password1', name: 'A' });
      const res = await monolith.api.post('/api/auth/login', { email: email.toUpperCase(), password: 'password1' });
      expect(res.status).toBe(200);
      expect(res.body.user).toEqual(registered.body.user);
      expect(res.body.token).not.toBe(registered.body.token);
      expect((await monolith.api.get('/api/auth/me', { token: res.body.token })).status).toBe(200);
    });

    it('answers unknown email and wrong password with the same 401', async () => {
      const email = uniqueEmail();
      await register({ email, password: 'password1', name: 'A' });
      const wrongPassword = await monolith.api.post('/api/auth/login', { email, password: 'password2' });
      const unknownEmail = await monolith.api.post('/api/auth/login', { email: uniqueEmail(), password: 'password1' });
      expect(wrongPassword.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
      expect(strip(wrongPassword.body)).toEqual(strip(unknownEmail.body));
      expect(wrongPassword.body.code).toBe('AUTH_INVALID_CREDENTIALS');
    });

    it('validates the body', async () => {
      const res = await monolith.api.post('/api/auth/login', { email: 'nope' });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
    });

    it('stores the legacy salted SHA-256 hash, never the password', async () => {
      const email = uniqueEmail();
      await register({ email, password: 'password1', name: 'A' });
      const row = await monolith.db.knex('users').where({ email }).first();
      expect(row.password_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.password_salt).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.stringify(row)).not.toContain('password1');
    });
  });

  describe('me and logout', () => {
    it('requires a bearer token', async () => {
      for (const token of [undefined, 'garbage', '']) {
        const res = await monolith.api.get('/api/auth/me', token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('AUTH_UNAUTHENTICATED');
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
      const basic = await monolith.api.get('/api/auth/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      expect(basic.status).toBe(401);
    });

    it('ends the session on logout, on that token only', async () => {
      const email = uniqueEmail();
      const first = await register({ email, password: 'password1', name: 'A' });
      const second = await monolith.api.post('/api/auth/login', { email, password: 'password1' });
      const logout = await monolith.api.post('/api/auth/logout', undefined, { token: first.body.token });
      expect(logout.status).toBe(204);
      expect(logout.text).toBe('');
      expect((await monolith.api.get('/api/auth/me', { token: first.body.token })).status).toBe(401);
      expect((await monolith.api.post('/api/auth/logout', undefined, { token: first.body.token })).status).toBe(401);
      expect((await monolith.api.get('/api/auth/me', { token: second.body.token })).status).toBe(200);
    });
  });
});

describe('monolith session expiry', () => {
  it('stops accepting a token once it expires', async () => {
    let now = new Date('2030-01-01T00:00:00.000Z');
    const monolith = await startMonolith('sqlite', { clock: { now: () => now }, sessionTtlMs: 60_000 });
    try {
      const res = await monolith.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password1', name: 'A' });
      expect(res.body.expiresAt).toBe('2030-01-01T00:01:00.000Z');
      now = new Date('2030-01-01T00:00:59.999Z');
      expect((await monolith.api.get('/api/auth/me', { token: res.body.token })).status).toBe(200);
      now = new Date('2030-01-01T00:01:00.000Z');
      expect((await monolith.api.get('/api/auth/me', { token: res.body.token })).status).toBe(401);
    } finally {
      await monolith.stop();
    }
  });
});
