import { createHash, randomUUID } from 'node:crypto';
import { decimalColumnToMinor } from '@strangler/kit';
import { testDialects } from '@strangler/kit/testing';
import { startMonolith, type RunningMonolith } from '../src/testing';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * What only the monolith does: how it stores what the payments API shows (the API itself is
 * contracts/test/behaviour/payments-api.ts, run against the monolith and the payments service).
 */
describe.each(testDialects())('monolith payments storage on %s', (dialect) => {
  let monolith: RunningMonolith;
  beforeAll(async () => {
    monolith = await startMonolith(dialect);
  });
  afterAll(async () => {
    await monolith?.stop();
  });

  const knex = () => monolith.db.knex;

  async function newUser(): Promise<{ token: string; userId: string }> {
    const res = await monolith.api.post('/api/auth/register', {
      email: `payer-${randomUUID()}@example.com`,
      password: 'correct horse battery',
      name: 'Payer',
    });
    expect(res.status).toBe(201);
    return { token: res.body.token as string, userId: res.body.user.id as string };
  }

  const post = (token: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    monolith.api.post(path, body, { token, headers });

  async function capturedPayment(token: string, amount: string, currency = 'USD'): Promise<string> {
    const created = await post(token, '/api/payments', { amount, currency }, { 'idempotency-key': randomUUID() });
    expect(created.status).toBe(201);
    expect((await post(token, `/api/payments/${created.body.payment.id}/capture`)).status).toBe(200);
    return created.body.payment.id as string;
  }

  it('keeps the legacy habits: DECIMAL major units and uppercase statuses', async () => {
    const { token, userId } = await newUser();
    const id = await capturedPayment(token, '1.234', 'KWD');
    expect((await post(token, `/api/payments/${id}/refunds`, { amount: '0.001' })).status).toBe(201);

    const row = await knex()('payments').where({ id }).first();
    expect(row).toMatchObject({ user_id: userId, currency: 'KWD', status: 'PARTIALLY_REFUNDED' });
    expect([row.amount, row.captured_amount, row.refunded_amount].map((value) => decimalColumnToMinor(value, 'KWD'))).toEqual([1234n, 1234n, 1n]);
    const refunds = await knex()('refunds').where({ payment_id: id });
    expect(refunds.map((refund) => decimalColumnToMinor(refund.amount, 'KWD'))).toEqual([1n]);
  });

  it('writes one refund row per refund that succeeded, and none for those refused, under concurrency', async () => {
    const { token } = await newUser();
    const id = await capturedPayment(token, '10.00');
    const results = await Promise.all(Array.from({ length: 10 }, () => post(token, `/api/payments/${id}/refunds`, { amount: '3.00' })));
    expect(results.filter((res) => res.status === 201)).toHaveLength(3);
    const rows = await knex()('refunds').where({ payment_id: id });
    expect(rows.map((row) => decimalColumnToMinor(row.amount, 'USD'))).toEqual([300n, 300n, 300n]);
    expect(decimalColumnToMinor((await knex()('payments').where({ id }).first()).refunded_amount, 'USD')).toBe(900n);
  });

  it('stores the SHA-256 of an Idempotency-Key, per user, with the response sent', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const key = `Key-${randomUUID()}`;
    const sent = await post(alice.token, '/api/payments', { amount: '1.00', currency: 'USD' }, { 'idempotency-key': key });
    expect((await post(bob.token, '/api/payments', { amount: '1.00', currency: 'USD' }, { 'idempotency-key': key })).status).toBe(201);

    const rows = await knex()('idempotency_keys').where({ idempotency_key: sha256(key) }).orderBy('user_id');
    expect(rows.map((row) => row.user_id)).toEqual([alice.userId, bob.userId].sort());
    const aliceRow = rows.find((row) => row.user_id === alice.userId);
    expect(aliceRow).toMatchObject({ request_hash: expect.stringMatching(/^[0-9a-f]{64}$/), response_body: sent.text });
    expect(Number(aliceRow.response_status)).toBe(201);
    // The raw key is nowhere in the table.
    const raw = await knex()('idempotency_keys').where({ idempotency_key: key }).orWhere('response_body', 'like', `%${key}%`);
    expect(raw).toEqual([]);
  });

  it('keeps no key row for a request that failed', async () => {
    const { token, userId } = await newUser();
    const key = randomUUID();
    expect((await post(token, '/api/payments', { amount: '1.001', currency: 'USD' }, { 'idempotency-key': key })).status).toBe(400);
    const id = await capturedPayment(token, '1.00');
    expect((await post(token, `/api/payments/${id}/refunds`, { amount: '2.00' }, { 'idempotency-key': key })).status).toBe(409);
    expect(await knex()('idempotency_keys').where({ user_id: userId })).toHaveLength(1); // the create in capturedPayment
  });
});
