import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { hashToken } from '@strangler/kit';
import { testDialects, type TestResponse } from '@strangler/kit/testing';
import { answerFrozenPastDeadline, DEADLINE_REFUSAL, freshDeadline, insertLegacyUser, refusalOf, startMonolith, type RunningMonolith } from '../src/testing';

/**
 * Decision 0038 on every write the monolith does for a request: a write that started before the edge's
 * deadline and was frozen inside its transaction until after it is rolled back at commit — 503
 * WRITE_DEADLINE_PASSED, retryable, nothing in the database, nothing remembered in memory — and the
 * retry with a fresh deadline is done, once.
 */
describe.each(testDialects())('monolith writes frozen past their deadline on %s', (dialect) => {
  let monolith: RunningMonolith;
  beforeAll(async () => {
    monolith = await startMonolith(dialect, { throttle: { maxFailuresPerAccount: 3 } });
  });
  afterAll(async () => {
    await monolith.stop();
  });

  const db = () => monolith.db.knex;
  const fresh = freshDeadline;
  const count = async (rows: Knex.QueryBuilder) => Number((await rows.count({ n: '*' }))[0].n);

  /** The write frozen before `sql`, inside its transaction, until its deadline has passed. */
  const frozenPast = (sql: RegExp, send: (headers: Record<string, string>) => Promise<TestResponse>) => answerFrozenPastDeadline(db(), sql, send);

  const expectRefused = (res: TestResponse) => expect(refusalOf(res)).toEqual(DEADLINE_REFUSAL);

  const password = 'correct horse battery';
  const email = () => `late-${randomUUID()}@example.com`;

  async function registered(): Promise<{ email: string; token: string }> {
    const address = email();
    const res = await monolith.api.post('/api/auth/register', { email: address, password, name: 'Late' });
    expect(res.status).toBe(201);
    return { email: address, token: res.body.token as string };
  }

  async function pendingOrder(token: string): Promise<string> {
    const res = await monolith.api.post('/api/orders', { items: [{ sku: 'SKU-1', quantity: 2, unitPrice: '4.50' }] }, { token });
    expect(res.status).toBe(201);
    return res.body.order.id as string;
  }

  it('register: no user, no session, no email claim; the retry registers once', async () => {
    const address = email();
    const register = (headers: Record<string, string>) => monolith.api.post('/api/auth/register', { email: address, password, name: 'Late' }, { headers });
    expectRefused(await frozenPast(/^insert into [`"]?sessions/i, register));
    expect(await db()('users').where({ email: address })).toEqual([]);
    expect(await db()('email_claims').where({ email: address })).toEqual([]);
    const retry = await register(fresh());
    expect(retry.status).toBe(201);
    expect(await count(db()('users').where({ email: address }))).toBe(1);
    expect(await count(db()('sessions').where({ user_id: retry.body.user.id }))).toBe(1);
  });

  it('login: no session, the legacy hash not upgraded; the retry logs in once', async () => {
    const address = email();
    const legacy = await insertLegacyUser(db(), { email: address, password });
    const login = (headers: Record<string, string>) => monolith.api.post('/api/auth/login', { email: address, password }, { headers });
    expectRefused(await frozenPast(/^insert into [`"]?sessions/i, login));
    expect(await db()('sessions').where({ user_id: legacy.id })).toEqual([]);
    expect(await db()('users').where({ id: legacy.id }).first('password_scheme')).toEqual({ password_scheme: 'legacy-sha256' });
    expect((await login(fresh())).status).toBe(200);
    expect(await count(db()('sessions').where({ user_id: legacy.id }))).toBe(1);
    expect(await db()('users').where({ id: legacy.id }).first('password_scheme')).toEqual({ password_scheme: 'argon2id' });
  });

  it("login: a refused login clears none of the account's failures (the throttle as if it never happened)", async () => {
    const { email: address } = await registered();
    const wrong = () => monolith.api.post('/api/auth/login', { email: address, password: 'wrong password!' });
    expect((await wrong()).status).toBe(401);
    expect((await wrong()).status).toBe(401);
    expectRefused(await frozenPast(/^insert into [`"]?sessions/i, (headers) => monolith.api.post('/api/auth/login', { email: address, password }, { headers })));
    // Had the refused login cleared the two failures, this third would leave the account open.
    expect((await wrong()).status).toBe(401);
    const locked = await monolith.api.post('/api/auth/login', { email: address, password }, { headers: fresh() });
    expect({ status: locked.status, code: locked.body?.code }).toEqual({ status: 429, code: 'AUTH_TOO_MANY_ATTEMPTS' });
  });

  it('logout: the session stays active (no revoked_at); the retry logs out', async () => {
    const { token } = await registered();
    const logout = (headers: Record<string, string>) => monolith.api.post('/api/auth/logout', undefined, { token, headers });
    expectRefused(await frozenPast(/^update [`"]?sessions/i, logout));
    expect(await db()('sessions').where({ token_hash: hashToken(token) }).first('revoked_at')).toEqual({ revoked_at: null });
    expect((await monolith.api.get('/api/auth/me', { token })).status).toBe(200);
    expect((await logout(fresh())).status).toBe(204);
    expect((await monolith.api.get('/api/auth/me', { token })).status).toBe(401);
  });

  it('place an order: no order, no items; the retry places one', async () => {
    const { token } = await registered();
    const user = await db()('sessions').where({ token_hash: hashToken(token) }).first('user_id');
    const place = (headers: Record<string, string>) =>
      monolith.api.post('/api/orders', { items: [{ sku: 'SKU-1', quantity: 1, unitPrice: '1.00' }] }, { token, headers });
    expectRefused(await frozenPast(/^insert into [`"]?order_items/i, place));
    expect(await db()('orders').where({ user_id: user.user_id })).toEqual([]);
    expect((await place(fresh())).status).toBe(201);
    expect(await count(db()('orders').where({ user_id: user.user_id }))).toBe(1);
  });

  it('checkout frozen while charging: no payment, the order pending; the retry pays it once', async () => {
    const { token } = await registered();
    const orderId = await pendingOrder(token);
    const checkout = (headers: Record<string, string>) => monolith.api.post(`/api/orders/${orderId}/checkout`, undefined, { token, headers });
    expectRefused(await frozenPast(/^insert into [`"]?payments/i, checkout));
    expect(await db()('payments').where({ order_id: orderId })).toEqual([]);
    expect(await db()('orders').where({ id: orderId }).first('status', 'payment_id')).toEqual({ status: 'PENDING', payment_id: null });
    const retry = await checkout(fresh());
    expect(retry.status).toBe(200);
    expect(await db()('payments').where({ order_id: orderId }).select('id', 'status')).toEqual([{ id: retry.body.payment.id, status: 'CAPTURED' }]);
    expect(await db()('orders').where({ id: orderId }).first('status', 'payment_id')).toEqual({ status: 'PAID', payment_id: retry.body.payment.id });
  });

  it('checkout frozen while marking the order paid: the order stays pending; the retry pays it with the one payment', async () => {
    const { token } = await registered();
    const orderId = await pendingOrder(token);
    const checkout = (headers: Record<string, string>) => monolith.api.post(`/api/orders/${orderId}/checkout`, undefined, { token, headers });
    expectRefused(await frozenPast(/^update [`"]?orders/i, checkout));
    // The charge committed in time (its own transaction, keyed by the order); only the order's write was late.
    expect(await db()('orders').where({ id: orderId }).first('status', 'payment_id')).toEqual({ status: 'PENDING', payment_id: null });
    const retry = await checkout(fresh());
    expect(retry.status).toBe(200);
    expect(await db()('payments').where({ order_id: orderId }).select('id')).toEqual([{ id: retry.body.payment.id }]);
    expect(await db()('orders').where({ id: orderId }).first('status', 'payment_id')).toEqual({ status: 'PAID', payment_id: retry.body.payment.id });
  });
});
