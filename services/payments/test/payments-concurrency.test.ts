import { randomUUID } from 'node:crypto';
import { testDialects } from '@strangler/kit/testing';
import { startPaymentsStack, type RunningPaymentsStack } from '../src/testing';

/**
 * Races on the service's own storage. They matter on MariaDB, where requests run in parallel on
 * several connections and only the row lock (SELECT … FOR UPDATE) and the idempotency key's unique
 * index keep them apart; on SQLite the single connection serialises them, so there the same tests
 * check the outcome only.
 */
describe.each(testDialects())('payments service under concurrency on %s', (dialect) => {
  let stack: RunningPaymentsStack;
  beforeAll(async () => {
    stack = await startPaymentsStack(dialect);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const post = (token: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    stack.service.api.post(path, body, { token, headers });
  const knex = () => stack.service.db.knex;

  async function payment(token: string, amount: string, currency = 'USD'): Promise<string> {
    const res = await post(token, '/api/payments', { amount, currency }, { 'idempotency-key': randomUUID() });
    expect(res.status).toBe(201);
    return res.body.payment.id as string;
  }

  async function stored(id: string) {
    const row = await knex()('payments').where({ id }).first();
    const refunds = await knex()('refunds').where({ payment_id: id });
    return {
      status: row.status as string,
      captured: BigInt(row.captured_minor),
      refunded: BigInt(row.refunded_minor),
      refundRows: refunds.length,
      refundSum: refunds.reduce((sum: bigint, r: { amount_minor: unknown }) => sum + BigInt(String(r.amount_minor)), 0n),
    };
  }

  it('lets 10 concurrent refunds take exactly what was captured, never more', async () => {
    const { token } = await stack.monolith.newUser();
    const id = await payment(token, '5.00');
    expect((await post(token, `/api/payments/${id}/capture`)).status).toBe(200);

    const results = await Promise.all(Array.from({ length: 10 }, () => post(token, `/api/payments/${id}/refunds`, { amount: '1.00' })));

    expect(results.filter((res) => res.status === 201)).toHaveLength(5);
    // Once fully refunded a payment takes no more refunds at all: the rest are invalid transitions.
    expect(results.filter((res) => res.status !== 201).map((res) => [res.status, res.body.code, res.body.detail])).toEqual(
      Array.from({ length: 5 }, () => [409, 'PAYMENT_INVALID_TRANSITION', 'A payment cannot go from refunded to refunded.']),
    );
    // Each winner saw the one before it: their running totals are 1.00, 2.00, … 5.00.
    const totals = results.filter((res) => res.status === 201).map((res) => res.body.payment.refundedAmount as string);
    expect(totals.sort()).toEqual(['1.00', '2.00', '3.00', '4.00', '5.00']);
    expect(await stored(id)).toEqual({ status: 'refunded', captured: 500n, refunded: 500n, refundRows: 5, refundSum: 500n });
  });

  it('keeps uneven concurrent refunds within the capture, and the total equal to the refund rows', async () => {
    const { token } = await stack.monolith.newUser();
    const id = await payment(token, '10.000', 'KWD');
    expect((await post(token, `/api/payments/${id}/capture`)).status).toBe(200);
    const amounts = ['3.333', '3.333', '3.333', '0.001', '2.500', '0.002', '1.000', '0.500', '4.000', '0.001'];
    await Promise.all(amounts.map((amount) => post(token, `/api/payments/${id}/refunds`, { amount })));
    const after = await stored(id);
    expect(after.refunded).toBe(after.refundSum);
    expect(after.refunded).toBeLessThanOrEqual(10_000n);
    expect(after.status).toBe(after.refunded === 10_000n ? 'refunded' : 'partially_refunded');
  });

  it('lets exactly one of concurrent captures win', async () => {
    const { token } = await stack.monolith.newUser();
    const id = await payment(token, '7.77');
    const results = await Promise.all(Array.from({ length: 8 }, () => post(token, `/api/payments/${id}/capture`)));
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    expect(results.filter((res) => res.status === 409 && res.body.code === 'PAYMENT_INVALID_TRANSITION')).toHaveLength(7);
    expect(await stored(id)).toMatchObject({ status: 'captured', captured: 777n });
  });

  it('lets exactly one of a concurrent capture and void win', async () => {
    const { token } = await stack.monolith.newUser();
    const id = await payment(token, '7.77');
    const [capture, voided] = await Promise.all([post(token, `/api/payments/${id}/capture`), post(token, `/api/payments/${id}/void`)]);
    expect([capture.status, voided.status].sort()).toEqual([200, 409]);
    expect((await stored(id)).status).toBe(capture.status === 200 ? 'captured' : 'voided');
  });

  it('creates one payment for concurrent requests with the same Idempotency-Key, replaying it to the rest', async () => {
    const { token, userId } = await stack.monolith.newUser();
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => post(token, '/api/payments', { amount: '4.20', currency: 'USD' }, { 'idempotency-key': key })),
    );
    expect(results.map((res) => res.status)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((res) => res.text)).size).toBe(1);
    expect(results.filter((res) => res.headers.get('idempotent-replayed') === 'true')).toHaveLength(7);
    expect(Number((await knex()('payments').where({ user_id: userId }).count({ n: '*' }))[0]?.n)).toBe(1);
    expect(Number((await knex()('idempotency_keys').where({ user_id: userId }).count({ n: '*' }))[0]?.n)).toBe(1);
  });

  it('answers concurrent different requests under one key with one winner and 422 for the others', async () => {
    const { token, userId } = await stack.monolith.newUser();
    const key = randomUUID();
    const results = await Promise.all(
      ['1.00', '2.00', '3.00', '4.00'].map((amount) => post(token, '/api/payments', { amount, currency: 'USD' }, { 'idempotency-key': key })),
    );
    expect(results.map((res) => res.status).sort()).toEqual([201, 422, 422, 422]);
    expect(results.filter((res) => res.status === 422).every((res) => res.body.code === 'IDEMPOTENCY_KEY_REUSED')).toBe(true);
    expect(Number((await knex()('payments').where({ user_id: userId }).count({ n: '*' }))[0]?.n)).toBe(1);
  });

  it('refunds once for concurrent refunds with the same Idempotency-Key', async () => {
    const { token } = await stack.monolith.newUser();
    const id = await payment(token, '5.00');
    expect((await post(token, `/api/payments/${id}/capture`)).status).toBe(200);
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => post(token, `/api/payments/${id}/refunds`, { amount: '2.00' }, { 'idempotency-key': key })),
    );
    expect(results.map((res) => res.status)).toEqual(Array(6).fill(201));
    expect(new Set(results.map((res) => res.text)).size).toBe(1);
    expect(await stored(id)).toEqual({ status: 'partially_refunded', captured: 500n, refunded: 200n, refundRows: 1, refundSum: 200n });
  });
});
