import { createHash, randomUUID } from 'node:crypto';
import { testDialects } from '@strangler/kit/testing';
import { startPaymentsStack, type RunningPaymentsStack } from '../src/testing';

/** What only this service does differently from the monolith: how it stores what the API shows. */
describe.each(testDialects())('payments service storage on %s', (dialect) => {
  let stack: RunningPaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack(dialect);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const api = () => stack.service.api;
  const knex = () => stack.service.db.knex;

  async function create(token: string, body: Record<string, unknown>, key: string = randomUUID()) {
    const res = await api().post('/api/payments', body, { token, headers: { 'idempotency-key': key } });
    expect(res.status).toBe(201);
    return res;
  }

  it.each([
    ['USD', '19.99', 1999n],
    ['USD', '0.01', 1n],
    ['JPY', '1000', 1000n],
    ['KWD', '1.234', 1234n],
    ['KWD', '5', 5000n],
    ['EUR', '999999999999.99', 99999999999999n],
    ['KWD', '999999999999.999', 999999999999999n],
  ])('stores %s %s as %s minor units and shows it back exactly', async (currency, amount, minor) => {
    const { token } = await stack.monolith.newUser();
    const { body } = await create(token, { amount, currency });
    const row = await knex()('payments').where({ id: body.payment.id }).first();
    expect(BigInt(row.amount_minor)).toBe(minor);
    expect({ currency: row.currency, status: row.status, captured: BigInt(row.captured_minor), refunded: BigInt(row.refunded_minor) }).toEqual({
      currency,
      status: 'authorized',
      captured: 0n,
      refunded: 0n,
    });
    const read = await api().get(`/api/payments/${body.payment.id}`, { token });
    expect(read.body.payment.amount).toBe(body.payment.amount);
  });

  it('keeps captured and refunded totals and refunds in minor units, statuses lowercase', async () => {
    const { token, userId } = await stack.monolith.newUser();
    const { body } = await create(token, { amount: '1.234', currency: 'KWD', description: 'Dates', orderId: 'o-1' });
    const id = body.payment.id as string;
    expect((await api().post(`/api/payments/${id}/capture`, undefined, { token })).status).toBe(200);
    const refund = await api().post(`/api/payments/${id}/refunds`, { amount: '0.001' }, { token });
    expect(refund.status).toBe(201);

    const row = await knex()('payments').where({ id }).first();
    expect({ ...row, amount_minor: BigInt(row.amount_minor), captured_minor: BigInt(row.captured_minor), refunded_minor: BigInt(row.refunded_minor) }).toMatchObject({
      user_id: userId,
      order_id: 'o-1',
      description: 'Dates',
      amount_minor: 1234n,
      captured_minor: 1234n,
      refunded_minor: 1n,
      status: 'partially_refunded',
    });
    const refunds = await knex()('refunds').where({ payment_id: id });
    expect(refunds.map((r: { id: string; amount_minor: unknown }) => ({ id: r.id, minor: BigInt(String(r.amount_minor)) }))).toEqual([
      { id: refund.body.refund.id, minor: 1n },
    ]);
  });

  it('keeps the idempotency key as a digest with the request fingerprint and the exact response', async () => {
    const { token, userId } = await stack.monolith.newUser();
    const key = `key-${randomUUID()}`;
    const res = await create(token, { amount: '2.00', currency: 'USD' }, key);
    const rows = await knex()('idempotency_keys').where({ user_id: userId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      key_hash: createHash('sha256').update(key).digest('hex'),
      request_fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      response_body: res.text,
    });
    expect(Number(rows[0].response_status)).toBe(201);
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it('stores timestamps with milliseconds and shows them as the API does', async () => {
    const { token } = await stack.monolith.newUser();
    const { body } = await create(token, { amount: '3.00', currency: 'CHF' });
    const row = await knex()('payments').where({ id: body.payment.id }).first();
    const stored = row.created_at instanceof Date ? row.created_at : new Date(Number(row.created_at));
    expect(stored.toISOString()).toBe(body.payment.createdAt);
  });
});
