import { randomUUID } from 'node:crypto';
import { testDialects } from '@strangler/kit/testing';
import { startPaymentsStack } from './support/start-payments-service';
type RunningMonolith = any;
async function startMonolith(dialect: 'sqlite' | 'mysql') { const s = await startPaymentsStack(dialect); const svc = s.service; const api = { ...svc.api, post: (path: string, body?: unknown, o?: any) => path === '/api/auth/register' ? s.monolith.api.post(path, body, o) : svc.api.post(path, body, o) }; return { url: svc.url, api, db: svc.db, stop: s.stop }; }

/**
 * Races that matter on MariaDB, where requests really run in parallel on several connections and
 * only row locks keep them apart. On SQLite one connection serialises everything, so the same tests
 * run there as a check of the outcome rather than of the locking.
 */
describe.each(testDialects())('monolith payments under concurrency on %s', (dialect) => {
  let monolith: RunningMonolith;
  beforeAll(async () => {
    monolith = await startMonolith(dialect);
  });
  afterAll(async () => {
    await monolith.stop();
  });

  async function newUser(): Promise<string> {
    const res = await monolith.api.post('/api/auth/register', {
      email: `racer-${randomUUID()}@example.com`,
      password: 'correct horse battery',
      name: 'Racer',
    });
    expect(res.status).toBe(201);
    return res.body.token as string;
  }

  const post = (token: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    monolith.api.post(path, body, { token, headers });

  async function authorized(token: string, amount: string): Promise<string> {
    const res = await post(token, '/api/payments', { amount, currency: 'USD' }, { 'idempotency-key': randomUUID() });
    expect(res.status).toBe(201);
    return res.body.payment.id as string;
  }

  it('never lets concurrent refunds together exceed the captured amount', async () => {
    const token = await newUser();
    const id = await authorized(token, '10.00');
    expect((await post(token, `/api/payments/${id}/capture`)).status).toBe(200);

    const results = await Promise.all(
      Array.from({ length: 10 }, () => post(token, `/api/payments/${id}/refunds`, { amount: '3.00' })),
    );

    const succeeded = results.filter((res) => res.status === 201);
    const refused = results.filter((res) => res.status !== 201);
    expect(succeeded).toHaveLength(3);
    expect(refused.map((res) => [res.status, res.body.code])).toEqual(
      Array.from({ length: 7 }, () => [409, 'PAYMENT_REFUND_EXCEEDS_CAPTURED']),
    );
    const payment = (await monolith.api.get(`/api/payments/${id}`, { token })).body.payment;
    expect(payment).toMatchObject({ status: 'partially_refunded', capturedAmount: '10.00', refundedAmount: '9.00' });
    const refundRows = await monolith.db.knex('refunds').where({ payment_id: id }).count({ n: '*' });
    expect(Number(refundRows[0]?.n)).toBe(3);
  });

  it('lets exactly one of concurrent captures win', async () => {
    const token = await newUser();
    const id = await authorized(token, '7.77');
    const results = await Promise.all(Array.from({ length: 5 }, () => post(token, `/api/payments/${id}/capture`)));
    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    expect(results.filter((res) => res.status === 409 && res.body.code === 'PAYMENT_INVALID_TRANSITION')).toHaveLength(4);
  });

  it('lets exactly one of a concurrent capture and void win', async () => {
    const token = await newUser();
    const id = await authorized(token, '7.77');
    const [capture, voided] = await Promise.all([post(token, `/api/payments/${id}/capture`), post(token, `/api/payments/${id}/void`)]);
    expect([capture.status, voided.status].sort()).toEqual([200, 409]);
    const status = (await monolith.api.get(`/api/payments/${id}`, { token })).body.payment.status;
    expect(status).toBe(capture.status === 200 ? 'captured' : 'voided');
  });

  // The loser of a same-key race waits on the winner's key row, then replays its response: no
  // "in progress" error reaches the client (IDEMPOTENCY_IN_PROGRESS exists only as a safeguard).
  it('creates one payment for concurrent requests with the same Idempotency-Key', async () => {
    const token = await newUser();
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => post(token, '/api/payments', { amount: '4.20', currency: 'USD' }, { 'idempotency-key': key })),
    );
    expect(results.map((res) => res.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((res) => res.text)).size).toBe(1);
    expect(results.filter((res) => res.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    const list = await monolith.api.get('/api/payments', { token });
    expect(list.body.payments.map((p: { id: string }) => p.id)).toEqual([results[0]?.body.payment.id]);
  });

  it('captures once for concurrent captures with the same Idempotency-Key, replaying to the rest', async () => {
    const token = await newUser();
    const id = await authorized(token, '1.00');
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => post(token, `/api/payments/${id}/capture`, undefined, { 'idempotency-key': key })),
    );
    expect(results.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((res) => res.text)).size).toBe(1);
  });

  it('refunds once for concurrent refunds with the same Idempotency-Key', async () => {
    const token = await newUser();
    const id = await authorized(token, '5.00');
    expect((await post(token, `/api/payments/${id}/capture`)).status).toBe(200);
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => post(token, `/api/payments/${id}/refunds`, { amount: '2.00' }, { 'idempotency-key': key })),
    );
    expect(results.map((res) => res.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((res) => res.body.refund.id)).size).toBe(1);
    const payment = (await monolith.api.get(`/api/payments/${id}`, { token })).body.payment;
    expect(payment.refundedAmount).toBe('2.00');
  });
});
