import { randomUUID } from 'node:crypto';
import { testDialects } from '@strangler/kit/testing';
import type { RunningSide, Side } from './sides';
import { describeOpenApiCoverage, openApiChecked } from '../openapi/openapi-checked-side';

const uniqueEmail = () => `user-${randomUUID()}@example.com`;
const withoutRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });

/**
 * The auth API as clients rely on it. Run against every side that serves it (the monolith and the
 * auth service): a difference between the two is a failing test.
 */
export function describeAuthApi(unchecked: Side): void {
  // Every answer below is also checked against the side's own OpenAPI document.
  const checked = openApiChecked(unchecked, '/api/auth');
  const side = checked.side;
  describe.each(testDialects())(`auth API: ${side.name} on %s`, (dialect) => {
    let running: RunningSide;
    beforeAll(async () => {
      running = await side.start(dialect);
    });
    afterAll(async () => {
      await running?.stop();
    });

    const register = (body: Record<string, unknown>) => running.api.post('/api/auth/register', body);

    describe('register', () => {
      it('creates a user and returns a working session', async () => {
        const email = uniqueEmail();
        const res = await register({ email, password: 'correct horse', name: 'Ada Lovelace' });
        expect(res.status).toBe(201);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.body).toEqual({
          user: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), email, name: 'Ada Lovelace', createdAt: expect.any(String) },
          token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          expiresAt: expect.any(String),
        });
        expect(new Date(res.body.user.createdAt).toISOString()).toBe(res.body.user.createdAt);
        expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
        const me = await running.api.get('/api/auth/me', { token: res.body.token });
        expect(me.status).toBe(200);
        expect(me.body).toEqual({ user: res.body.user });
      });

      it('normalises the email so case and spaces cannot create a duplicate', async () => {
        const email = uniqueEmail();
        expect((await register({ email, password: 'password1', name: 'A' })).status).toBe(201);
        const again = await register({ email: `  ${email.toUpperCase()} `, password: 'password1', name: 'B' });
        expect(again.status).toBe(409);
        expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(withoutRequestId(again.body)).toEqual({
          type: 'urn:strangler:problem:auth-email-taken',
          title: 'Email already registered',
          status: 409,
          detail: 'An account with this email already exists.',
          code: 'AUTH_EMAIL_TAKEN',
          requestId: undefined,
        });
      });

      it.each([
        [{ password: 'password1', name: 'A' }, ['email']],
        [{ email: 'not-an-email', password: 'password1', name: 'A' }, ['email']],
        [{ email: 'EMAIL', password: 'short', name: 'A' }, ['password']],
        [{ email: 'EMAIL', password: 'p'.repeat(129), name: 'A' }, ['password']],
        [{ email: 'EMAIL', password: 'password1', name: '   ' }, ['name']],
        [{ email: 'EMAIL', password: 12345678, name: 'A' }, ['password']],
        [{ email: 'EMAIL', password: 'password1', name: 'n'.repeat(101) }, ['name']],
        [{}, ['email', 'name', 'password']],
      ])('rejects %j naming the fields, writing nothing', async (template, fields) => {
        const email = uniqueEmail();
        const body = JSON.parse(JSON.stringify(template).replace('EMAIL', email));
        const res = await register(body);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
        expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(fields);
        for (const field of fields) expect(res.body.detail).toContain(field);
        // Nothing was written: the email is still free.
        expect((await register({ email, password: 'password1', name: 'A' })).status).toBe(201);
      });

      it('rejects a JSON array body', async () => {
        const res = await running.api.request('POST', '/api/auth/register', ['a']);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      });

      it('lets exactly one of concurrent registrations of one email win', async () => {
        const email = uniqueEmail();
        const results = await Promise.all([1, 2, 3].map((n) => register({ email, password: 'password1', name: `N${n}` })));
        expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      });
    });

    describe('login', () => {
      it('returns a new session for the right password, whatever the email case', async () => {
        const email = uniqueEmail();
        const registered = await register({ email, password: 'password1', name: 'A' });
        const res = await running.api.post('/api/auth/login', { email: email.toUpperCase(), password: 'password1' });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ user: registered.body.user, token: expect.any(String), expiresAt: expect.any(String) });
        expect(res.body.token).not.toBe(registered.body.token);
        expect((await running.api.get('/api/auth/me', { token: res.body.token })).status).toBe(200);
      });

      it('answers unknown email and wrong password with the same 401', async () => {
        const email = uniqueEmail();
        await register({ email, password: 'password1', name: 'A' });
        const wrongPassword = await running.api.post('/api/auth/login', { email, password: 'password2' });
        const unknownEmail = await running.api.post('/api/auth/login', { email: uniqueEmail(), password: 'password1' });
        expect(wrongPassword.status).toBe(401);
        expect(unknownEmail.status).toBe(401);
        expect(withoutRequestId(wrongPassword.body)).toEqual(withoutRequestId(unknownEmail.body));
        expect(withoutRequestId(wrongPassword.body)).toEqual({
          type: 'urn:strangler:problem:auth-invalid-credentials',
          title: 'Invalid credentials',
          status: 401,
          detail: 'The email or password is incorrect.',
          code: 'AUTH_INVALID_CREDENTIALS',
          requestId: undefined,
        });
      });

      it('locks an account after 5 failed logins with the same 429 and Retry-After, even for the right password', async () => {
        const email = uniqueEmail();
        await register({ email, password: 'password1', name: 'A' });
        // Each guess from another address (behind the trusted proxy): only the account's count matters here.
        const from = (i: number) => ({ headers: { 'x-forwarded-for': `2001:db8:${randomUUID().slice(0, 4)}:${i}::1` } });
        for (let i = 0; i < 5; i++) expect((await running.api.post('/api/auth/login', { email, password: 'wrong-password' }, from(i))).status).toBe(401);
        const locked = await running.api.post('/api/auth/login', { email, password: 'password1' }, from(9));
        expect(locked.status).toBe(429);
        expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(withoutRequestId(locked.body)).toEqual({
          type: 'urn:strangler:problem:auth-too-many-attempts',
          title: 'Too many attempts',
          status: 429,
          detail: 'Too many failed login attempts; retry later.',
          code: 'AUTH_TOO_MANY_ATTEMPTS',
          requestId: undefined,
        });
      });

      it('validates the body', async () => {
        const res = await running.api.post('/api/auth/login', { email: 'nope' });
        expect(res.status).toBe(400);
        expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
      });
    });

    describe('me and logout', () => {
      it('requires a bearer token', async () => {
        for (const authorization of [undefined, 'Bearer garbage', 'Bearer ', 'Basic dXNlcjpwYXNz', `Bearer ${'A'.repeat(43)}`]) {
          const res = await running.api.get('/api/auth/me', authorization === undefined ? {} : { headers: { authorization } });
          expect(res.status).toBe(401);
          expect(res.body.code).toBe('AUTH_UNAUTHENTICATED');
          expect(res.headers.get('www-authenticate')).toBe('Bearer');
        }
      });

      it('ends the session on logout, on that token only', async () => {
        const email = uniqueEmail();
        const first = await register({ email, password: 'password1', name: 'A' });
        const second = await running.api.post('/api/auth/login', { email, password: 'password1' });
        const logout = await running.api.post('/api/auth/logout', undefined, { token: first.body.token });
        expect(logout.status).toBe(204);
        expect(logout.text).toBe('');
        expect((await running.api.get('/api/auth/me', { token: first.body.token })).status).toBe(401);
        expect((await running.api.post('/api/auth/logout', undefined, { token: first.body.token })).status).toBe(401);
        expect((await running.api.get('/api/auth/me', { token: second.body.token })).status).toBe(200);
      });
    });
  });

  describe(`auth API: ${side.name} session expiry`, () => {
    it('stops accepting a token once it expires', async () => {
      let now = new Date('2030-01-01T00:00:00.000Z');
      const expiring = await side.start('sqlite', { clock: { now: () => now }, sessionTtlMs: 60_000 });
      try {
        const res = await expiring.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password1', name: 'A' });
        expect(res.body.expiresAt).toBe('2030-01-01T00:01:00.000Z');
        expect(res.body.user.createdAt).toBe('2030-01-01T00:00:00.000Z');
        now = new Date('2030-01-01T00:00:59.999Z');
        expect((await expiring.api.get('/api/auth/me', { token: res.body.token })).status).toBe(200);
        now = new Date('2030-01-01T00:01:00.000Z');
        expect((await expiring.api.get('/api/auth/me', { token: res.body.token })).status).toBe(401);
      } finally {
        await expiring.stop();
      }
    });
  });

  describeOpenApiCoverage(checked);
}
