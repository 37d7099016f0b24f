import type { Knex } from 'knex';
import { hashToken } from '@strangler/kit';
import { testDialects, uniqueEmail, type TestResponse } from '@strangler/kit/testing';
import { answerFrozenPastDeadline, DEADLINE_REFUSAL, freshDeadline, refusalOf } from '@strangler/monolith/testing';
import { startAuthService, type RunningAuthService } from '../src/testing';

/**
 * Decision 0038 on the auth service's writes (its own storage: users and credentials apart): register,
 * login and logout frozen inside their transaction past the edge's deadline are rolled back at commit
 * — 503 WRITE_DEADLINE_PASSED, retryable, nothing in the database — and the retry is done once.
 */
describe.each(testDialects())('auth service writes frozen past their deadline on %s', (dialect) => {
  let service: RunningAuthService;
  beforeAll(async () => {
    service = await startAuthService(dialect);
  });
  afterAll(async () => {
    await service.stop();
  });

  const db = () => service.db.knex;
  const fresh = freshDeadline;
  const count = async (rows: Knex.QueryBuilder) => Number((await rows.count({ n: '*' }))[0].n);
  const password = 'correct horse battery';

  /** The write frozen before `sql`, inside its transaction, until its deadline has passed. */
  const frozenPast = (sql: RegExp, send: (headers: Record<string, string>) => Promise<TestResponse>) => answerFrozenPastDeadline(db(), sql, send);

  const expectRefused = (res: TestResponse) => expect(refusalOf(res)).toEqual(DEADLINE_REFUSAL);

  async function registered(): Promise<{ email: string; token: string; userId: string }> {
    const email = uniqueEmail();
    const res = await service.api.post('/api/auth/register', { email, password, name: 'Late' });
    expect(res.status).toBe(201);
    return { email, token: res.body.token as string, userId: res.body.user.id as string };
  }

  it('register: no user, no credential, no session, no email claim; the retry registers once', async () => {
    const email = uniqueEmail();
    const register = (headers: Record<string, string>) => service.api.post('/api/auth/register', { email, password, name: 'Late' }, { headers });
    expectRefused(await frozenPast(/^insert into [`"]?sessions/i, register));
    expect(await db()('users').where({ email })).toEqual([]);
    expect(await count(db()('credentials'))).toBe(await count(db()('users')));
    expect(await db()('email_claims').where({ email })).toEqual([]);
    const retry = await register(fresh());
    expect(retry.status).toBe(201);
    expect(await count(db()('users').where({ email }))).toBe(1);
    expect(await count(db()('sessions').where({ user_id: retry.body.user.id }))).toBe(1);
  });

  it('login: no session; the retry logs in once', async () => {
    const { email, userId } = await registered();
    const login = (headers: Record<string, string>) => service.api.post('/api/auth/login', { email, password }, { headers });
    expectRefused(await frozenPast(/^insert into [`"]?sessions/i, login));
    expect(await count(db()('sessions').where({ user_id: userId }))).toBe(1);
    expect((await login(fresh())).status).toBe(200);
    expect(await count(db()('sessions').where({ user_id: userId }))).toBe(2);
  });

  it('logout: the session stays active (no revoked_at); the retry logs out', async () => {
    const { token } = await registered();
    const logout = (headers: Record<string, string>) => service.api.post('/api/auth/logout', undefined, { token, headers });
    expectRefused(await frozenPast(/^update [`"]?sessions/i, logout));
    expect(await db()('sessions').where({ token_hash: hashToken(token) }).first('revoked_at')).toEqual({ revoked_at: null });
    expect((await service.api.get('/api/auth/me', { token })).status).toBe(200);
    expect((await logout(fresh())).status).toBe(204);
    expect((await service.api.get('/api/auth/me', { token })).status).toBe(401);
  });
});
