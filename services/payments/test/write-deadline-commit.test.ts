import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { testDialects, type TestResponse } from '@strangler/kit/testing';
import { answerFrozenPastDeadline, DEADLINE_REFUSAL, freshDeadline, refusalOf } from '@strangler/monolith/testing';
import { startPaymentsStack, type RunningPaymentsStack } from '../src/testing';

/**
 * Decision 0038 on every payments write of the service (create, capture, void, refund): frozen inside
 * its transaction past the edge's deadline, it is rolled back at commit — 503 WRITE_DEADLINE_PASSED,
 * retryable, the payment and the Idempotency-Key as before — and the retry with the same key is done
 * once (the red team's breaks 1–3: two payments for one key, refunds above the capture).
 */
describe.each(testDialects())('payments service writes frozen past their deadline on %s', (dialect) => {
  let stack: RunningPaymentsStack;
  let token: string;
  beforeAll(async () => {
    stack = await startPaymentsStack(dialect);
    ({ token } = await stack.monolith.newUser());
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const db = () => stack.service.db.knex;
  const fresh = freshDeadline;
  const count = async (rows: Knex.QueryBuilder) => Number((await rows.count({ n: '*' }))[0].n);
  const post = (path: string, body: unknown, key: string, headers: Record<string, string>) =>
    stack.service.api.post(path, body, { token, headers: { 'idempotency-key': key, ...headers } });

  /** The write frozen before `sql`, inside its transaction, until its deadline has passed. */
  const frozenPast = (sql: RegExp, send: (headers: Record<string, string>) => Promise<TestResponse>) => answerFrozenPastDeadline(db(), sql, send);

  const expectRefused = (res: TestResponse) => expect(refusalOf(res)).toEqual(DEADLINE_REFUSAL);

  async function payment(captured: boolean): Promise<string> {
    const created = await post('/api/payments', { amount: '10.00', currency: 'USD' }, randomUUID(), fresh());
    expect(created.status).toBe(201);
    const id = created.body.payment.id as string;
    if (captured) expect((await post(`/api/payments/${id}/capture`, undefined, randomUUID(), fresh())).status).toBe(200);
    return id;
  }

  const state = async (id: string) => db()('payments').where({ id }).first('status', 'captured_minor', 'refunded_minor');

  it('create: no payment, the key unclaimed; the retry with the key creates one', async () => {
    const key = randomUUID();
    const keysBefore = await count(db()('idempotency_keys'));
    const paymentsBefore = await count(db()('payments'));
    const create = (headers: Record<string, string>) => post('/api/payments', { amount: '5.00', currency: 'USD' }, key, headers);
    expectRefused(await frozenPast(/^insert into [`"]?payments/i, create));
    expect(await count(db()('payments'))).toBe(paymentsBefore);
    expect(await count(db()('idempotency_keys'))).toBe(keysBefore);
    const retry = await create(fresh());
    expect(retry.status).toBe(201);
    expect((await create(fresh())).body.payment.id).toBe(retry.body.payment.id);
    expect(await count(db()('payments'))).toBe(paymentsBefore + 1);
  });

  it('capture: the payment stays authorized; the retry captures it', async () => {
    const id = await payment(false);
    const key = randomUUID();
    const capture = (headers: Record<string, string>) => post(`/api/payments/${id}/capture`, undefined, key, headers);
    expectRefused(await frozenPast(/^update [`"]?payments/i, capture));
    expect(await state(id)).toMatchObject({ status: 'authorized' });
    expect((await capture(fresh())).status).toBe(200);
    expect(await state(id)).toMatchObject({ status: 'captured' });
  });

  it('void: the payment stays authorized; the retry voids it', async () => {
    const id = await payment(false);
    const key = randomUUID();
    const voiding = (headers: Record<string, string>) => post(`/api/payments/${id}/void`, undefined, key, headers);
    expectRefused(await frozenPast(/^update [`"]?payments/i, voiding));
    expect(await state(id)).toMatchObject({ status: 'authorized' });
    expect((await voiding(fresh())).status).toBe(200);
    expect(await state(id)).toMatchObject({ status: 'voided' });
  });

  it('refund: no refund row, nothing refunded; the retry with the key refunds once', async () => {
    const id = await payment(true);
    const key = randomUUID();
    const refund = (headers: Record<string, string>) => post(`/api/payments/${id}/refunds`, { amount: '4.00' }, key, headers);
    expectRefused(await frozenPast(/^insert into [`"]?refunds/i, refund));
    expect(await count(db()('refunds').where({ payment_id: id }))).toBe(0);
    expect(Number((await state(id)).refunded_minor)).toBe(0);
    const retry = await refund(fresh());
    expect(retry.status).toBe(201);
    expect((await refund(fresh())).body.refund.id).toBe(retry.body.refund.id);
    expect(await count(db()('refunds').where({ payment_id: id }))).toBe(1);
    expect(Number((await state(id)).refunded_minor)).toBe(400);
  });
});
