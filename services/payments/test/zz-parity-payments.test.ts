import { randomUUID } from 'node:crypto';
import { testDialects, type TestResponse } from '@strangler/kit/testing';
import { startPaymentsStack } from './support/start-payments-service';
type RunningMonolith = any;
async function startMonolith(dialect: 'sqlite' | 'mysql') { const s = await startPaymentsStack(dialect); const svc = s.service; const api = { ...svc.api, post: (path: string, body?: unknown, o?: any) => path === '/api/auth/register' ? s.monolith.api.post(path, body, o) : svc.api.post(path, body, o) }; return { url: svc.url, api, db: svc.db, stop: s.stop }; }

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(testDialects())('monolith payments API on %s', (dialect) => {
  let monolith: RunningMonolith;
  beforeAll(async () => {
    monolith = await startMonolith(dialect);
  });
  afterAll(async () => {
    await monolith.stop();
  });

  async function newUser(): Promise<string> {
    const res = await monolith.api.post('/api/auth/register', {
      email: `payer-${randomUUID()}@example.com`,
      password: 'correct horse battery',
      name: 'Payer',
    });
    expect(res.status).toBe(201);
    return res.body.token as string;
  }

  const create = (token: string, body: unknown, key: string | null = randomUUID()) =>
    monolith.api.post('/api/payments', body, { token, headers: key === null ? {} : { 'idempotency-key': key } });
  const post = (token: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    monolith.api.post(path, body, { token, headers });
  const get = (token: string, path: string) => monolith.api.get(path, { token });

  async function authorized(token: string, amount = '10.00', currency = 'USD'): Promise<Record<string, string>> {
    const res = await create(token, { amount, currency });
    expect(res.status).toBe(201);
    return res.body.payment;
  }

  async function captured(token: string, amount = '10.00', currency = 'USD'): Promise<Record<string, string>> {
    const payment = await authorized(token, amount, currency);
    const res = await post(token, `/api/payments/${payment.id}/capture`);
    expect(res.status).toBe(200);
    return res.body.payment;
  }

  function expectProblem(res: TestResponse, status: number, code: string): void {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  }

  function expectInvalidField(res: TestResponse, field: string): void {
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]));
  }

  async function paymentCount(token: string): Promise<number> {
    const res = await get(token, '/api/payments?limit=100');
    expect(res.status).toBe(200);
    return res.body.payments.length as number;
  }

  describe('create', () => {
    it('authorizes a payment and reads it back', async () => {
      const token = await newUser();
      const res = await create(token, { amount: '19.99', currency: 'USD', description: 'Socks', orderId: 'ord-1' });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
      expect(res.body).toEqual({
        payment: {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          amount: '19.99',
          currency: 'USD',
          status: 'authorized',
          description: 'Socks',
          orderId: 'ord-1',
          capturedAmount: '0.00',
          refundedAmount: '0.00',
          createdAt: expect.stringMatching(ISO_MS),
          updatedAt: expect.stringMatching(ISO_MS),
        },
      });
      const read = await get(token, `/api/payments/${res.body.payment.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
    });

    it('shows absent description and order id as null', async () => {
      const token = await newUser();
      const payment = await authorized(token);
      expect(payment).toMatchObject({ description: null, orderId: null });
    });

    it.each([
      ['USD', '19.9', '19.90', '0.00'],
      ['USD', '0007.5', '7.50', '0.00'],
      ['JPY', '1000', '1000', '0'],
      ['KWD', '1.234', '1.234', '0.000'],
      ['KWD', '5', '5.000', '0.000'],
      ['EUR', '999999999999.99', '999999999999.99', '0.00'],
    ])('keeps %s %s exact as %s', async (currency, amount, shown, zero) => {
      const token = await newUser();
      const payment = await authorized(token, amount, currency);
      expect(payment).toMatchObject({ amount: shown, currency, capturedAmount: zero, refundedAmount: zero });
      expect((await get(token, `/api/payments/${payment.id}`)).body.payment.amount).toBe(shown);
    });

    it('requires authentication', async () => {
      const res = await monolith.api.post('/api/payments', { amount: '1.00', currency: 'USD' }, { headers: { 'idempotency-key': 'k' } });
      expectProblem(res, 401, 'AUTH_UNAUTHENTICATED');
    });

    it('requires an Idempotency-Key and writes nothing without one', async () => {
      const token = await newUser();
      expectProblem(await create(token, { amount: '1.00', currency: 'USD' }, null), 400, 'IDEMPOTENCY_KEY_REQUIRED');
      expect(await paymentCount(token)).toBe(0);
    });

    it.each([
      ['too long', 'k'.repeat(256)],
      ['empty', ''],
    ])('rejects an Idempotency-Key that is %s', async (_case, key) => {
      const token = await newUser();
      expectInvalidField(await create(token, { amount: '1.00', currency: 'USD' }, key), 'Idempotency-Key');
      expect(await paymentCount(token)).toBe(0);
    });

    it.each([
      ['a number amount', { amount: 19.99, currency: 'USD' }, 'amount'],
      ['a missing amount', { currency: 'USD' }, 'amount'],
      ['a zero amount', { amount: '0.00', currency: 'USD' }, 'amount'],
      ['a negative amount', { amount: '-1.00', currency: 'USD' }, 'amount'],
      ['an exponent', { amount: '1e3', currency: 'USD' }, 'amount'],
      ['thousands separators', { amount: '1,000.00', currency: 'USD' }, 'amount'],
      ['too many decimals for USD', { amount: '1.234', currency: 'USD' }, 'amount'],
      ['decimals for JPY', { amount: '10.5', currency: 'JPY' }, 'amount'],
      ['too many decimals for KWD', { amount: '1.2345', currency: 'KWD' }, 'amount'],
      ['a too large amount', { amount: '1000000000000.00', currency: 'USD' }, 'amount'],
      ['an unknown currency', { amount: '1.00', currency: 'XYZ' }, 'currency'],
      ['a lowercase currency', { amount: '1.00', currency: 'usd' }, 'currency'],
      ['a missing currency', { amount: '1.00' }, 'currency'],
      ['a long description', { amount: '1.00', currency: 'USD', description: 'd'.repeat(501) }, 'description'],
      ['a non-string description', { amount: '1.00', currency: 'USD', description: 5 }, 'description'],
      ['a long order id', { amount: '1.00', currency: 'USD', orderId: 'o'.repeat(65) }, 'orderId'],
      ['an array body', [{ amount: '1.00', currency: 'USD' }], 'body'],
    ])('rejects %s, naming the field and writing nothing', async (_case, body, field) => {
      const token = await newUser();
      expectInvalidField(await create(token, body), field);
      expect(await paymentCount(token)).toBe(0);
    });

    it('accepts a 500-character description and ignores unknown fields', async () => {
      const token = await newUser();
      const res = await create(token, { amount: '1.00', currency: 'USD', description: 'd'.repeat(500), tip: '5.00' });
      expect(res.status).toBe(201);
      expect(res.body.payment.description).toHaveLength(500);
      expect(res.body.payment).not.toHaveProperty('tip');
    });
  });

  describe('idempotency', () => {
    it('replays the first response for the same key and request', async () => {
      const token = await newUser();
      const key = randomUUID();
      const first = await create(token, { amount: '5.00', currency: 'EUR', description: 'Book' }, key);
      expect(first.status).toBe(201);
      // Same body with its keys in another order is the same request.
      const again = await create(token, { description: 'Book', currency: 'EUR', amount: '5.00' }, key);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.text).toBe(first.text);
      expect(await paymentCount(token)).toBe(1);
    });

    it('replays the original response even after the payment has moved on', async () => {
      const token = await newUser();
      const key = randomUUID();
      const first = await create(token, { amount: '5.00', currency: 'EUR' }, key);
      expect((await post(token, `/api/payments/${first.body.payment.id}/capture`)).status).toBe(200);
      const again = await create(token, { amount: '5.00', currency: 'EUR' }, key);
      expect(again.text).toBe(first.text);
      expect(again.body.payment.status).toBe('authorized');
    });

    it('refuses the same key for a different request with 422', async () => {
      const token = await newUser();
      const key = randomUUID();
      expect((await create(token, { amount: '5.00', currency: 'EUR' }, key)).status).toBe(201);
      expectProblem(await create(token, { amount: '5.01', currency: 'EUR' }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
      expectProblem(await create(token, { amount: '5.00', currency: 'EUR', description: 'x' }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
      expect(await paymentCount(token)).toBe(1);
    });

    it('scopes keys per user', async () => {
      const [alice, bob] = await Promise.all([newUser(), newUser()]);
      const key = randomUUID();
      const a = await create(alice, { amount: '1.00', currency: 'USD' }, key);
      const b = await create(bob, { amount: '1.00', currency: 'USD' }, key);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(b.headers.get('idempotent-replayed')).toBeNull();
      expect(b.body.payment.id).not.toBe(a.body.payment.id);
    });

    it('treats keys as case-sensitive on every database', async () => {
      const token = await newUser();
      const lower = await create(token, { amount: '1.00', currency: 'USD' }, 'checkout-abc');
      const upper = await create(token, { amount: '2.00', currency: 'USD' }, 'CHECKOUT-ABC');
      expect([lower.status, upper.status]).toEqual([201, 201]);
      expect(upper.body.payment.id).not.toBe(lower.body.payment.id);
    });

    it('does not record failures: a key whose request failed can be used again', async () => {
      const token = await newUser();
      const key = randomUUID();
      expectInvalidField(await create(token, { amount: '1.001', currency: 'USD' }, key), 'amount');
      expect((await create(token, { amount: '1.00', currency: 'USD' }, key)).status).toBe(201);
    });

    it('makes capture, refund and void safely retryable with an optional key', async () => {
      const token = await newUser();
      const payment = await authorized(token, '3.00');
      const captureKey = { 'idempotency-key': randomUUID() };
      const capture = await post(token, `/api/payments/${payment.id}/capture`, undefined, captureKey);
      const captureAgain = await post(token, `/api/payments/${payment.id}/capture`, undefined, captureKey);
      expect([capture.status, captureAgain.status]).toEqual([200, 200]);
      expect(captureAgain.headers.get('idempotent-replayed')).toBe('true');
      expect(captureAgain.text).toBe(capture.text);

      const refundKey = { 'idempotency-key': randomUUID() };
      const refund = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.00' }, refundKey);
      const refundAgain = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.00' }, refundKey);
      expect([refund.status, refundAgain.status]).toEqual([201, 201]);
      expect(refundAgain.text).toBe(refund.text);
      expect((await get(token, `/api/payments/${payment.id}`)).body.payment.refundedAmount).toBe('1.00');
      expectProblem(await post(token, `/api/payments/${payment.id}/refunds`, { amount: '2.00' }, refundKey), 422, 'IDEMPOTENCY_KEY_REUSED');

      const other = await authorized(token);
      const voidKey = { 'idempotency-key': randomUUID() };
      const voided = await post(token, `/api/payments/${other.id}/void`, {}, voidKey);
      const voidedAgain = await post(token, `/api/payments/${other.id}/void`, undefined, voidKey);
      expect([voided.status, voidedAgain.status]).toEqual([200, 200]);
      expect(voidedAgain.text).toBe(voided.text);
      // The key names a request on one payment: reused on another, it is a different request.
      expectProblem(await post(token, `/api/payments/${payment.id}/void`, undefined, voidKey), 422, 'IDEMPOTENCY_KEY_REUSED');
    });
  });

  describe('read', () => {
    it('hides other users’ payments as 404', async () => {
      const [alice, bob] = await Promise.all([newUser(), newUser()]);
      const payment = await authorized(alice);
      expectProblem(await get(bob, `/api/payments/${payment.id}`), 404, 'PAYMENT_NOT_FOUND');
      expectProblem(await post(bob, `/api/payments/${payment.id}/capture`), 404, 'PAYMENT_NOT_FOUND');
      expectProblem(await post(bob, `/api/payments/${payment.id}/void`), 404, 'PAYMENT_NOT_FOUND');
      expectProblem(await post(bob, `/api/payments/${payment.id}/refunds`, { amount: '1.00' }), 404, 'PAYMENT_NOT_FOUND');
      expect((await get(alice, `/api/payments/${payment.id}`)).body.payment.status).toBe('authorized');
    });

    it.each([randomUUID(), 'not-an-id', randomUUID().toUpperCase(), 'x'.repeat(300)])('answers 404 for unknown id %s', async (id) => {
      const token = await newUser();
      expectProblem(await get(token, `/api/payments/${id}`), 404, 'PAYMENT_NOT_FOUND');
      expectProblem(await post(token, `/api/payments/${id}/capture`), 404, 'PAYMENT_NOT_FOUND');
    });

    it('finds a payment only by its exact id', async () => {
      const token = await newUser();
      const payment = await authorized(token);
      expectProblem(await get(token, `/api/payments/${payment.id!.toUpperCase()}`), 404, 'PAYMENT_NOT_FOUND');
    });
  });

  describe('list', () => {
    it('pages through the caller’s payments newest first without overlap', async () => {
      const [token, stranger] = await Promise.all([newUser(), newUser()]);
      await authorized(stranger);
      const created: Array<Record<string, string>> = [];
      for (let i = 0; i < 5; i += 1) created.push(await authorized(token, `${i + 1}.00`));
      const expected = [...created]
        .sort((a, b) => b.createdAt!.localeCompare(a.createdAt!) || b.id!.localeCompare(a.id!))
        .map((p) => p.id);

      const seen: string[] = [];
      let cursor: string | null = null;
      const pageSizes: number[] = [];
      do {
        const res: TestResponse = await get(token, `/api/payments?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        pageSizes.push(res.body.payments.length);
        seen.push(...res.body.payments.map((p: { id: string }) => p.id));
        cursor = res.body.nextCursor;
        if (cursor !== null) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      } while (cursor !== null && pageSizes.length < 10);

      expect(pageSizes).toEqual([2, 2, 1]);
      expect(seen).toEqual(expected);
    });

    it('defaults to 20 and shows full payment objects', async () => {
      const token = await newUser();
      const payment = await authorized(token, '2.50', 'GBP');
      const res = await get(token, '/api/payments');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ payments: [payment], nextCursor: null });
    });

    it('returns an empty page for a new user', async () => {
      const token = await newUser();
      expect((await get(token, '/api/payments')).body).toEqual({ payments: [], nextCursor: null });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['cursor=not-a-cursor!', 'cursor'],
      [`cursor=${Buffer.from('{"a":1}').toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from('[1, "x; drop table"]').toString('base64url')}`, 'cursor'],
      ['cursor=', 'cursor'],
    ])('rejects %s naming %s', async (query, field) => {
      const token = await newUser();
      expectInvalidField(await get(token, `/api/payments?${query}`), field);
    });

    it('requires authentication', async () => {
      expectProblem(await monolith.api.get('/api/payments'), 401, 'AUTH_UNAUTHENTICATED');
    });
  });

  describe('capture and void', () => {
    it('captures the full amount once', async () => {
      const token = await newUser();
      const payment = await authorized(token, '12.34');
      const res = await post(token, `/api/payments/${payment.id}/capture`);
      expect(res.status).toBe(200);
      expect(res.body.payment).toMatchObject({ id: payment.id, status: 'captured', capturedAmount: '12.34', refundedAmount: '0.00' });
      expect(res.body.payment.createdAt).toBe(payment.createdAt);

      const again = await post(token, `/api/payments/${payment.id}/capture`);
      expectProblem(again, 409, 'PAYMENT_INVALID_TRANSITION');
      expect(again.body.detail).toMatch(/captured to captured/);
      expectProblem(await post(token, `/api/payments/${payment.id}/void`), 409, 'PAYMENT_INVALID_TRANSITION');
    });

    it('voids an authorization, after which nothing else is possible', async () => {
      const token = await newUser();
      const payment = await authorized(token);
      const res = await post(token, `/api/payments/${payment.id}/void`);
      expect(res.status).toBe(200);
      expect(res.body.payment).toMatchObject({ status: 'voided', capturedAmount: '0.00' });

      const capture = await post(token, `/api/payments/${payment.id}/capture`);
      expectProblem(capture, 409, 'PAYMENT_INVALID_TRANSITION');
      expect(capture.body.detail).toMatch(/voided to captured/);
      expectProblem(await post(token, `/api/payments/${payment.id}/void`), 409, 'PAYMENT_INVALID_TRANSITION');
      expectProblem(await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.00' }), 409, 'PAYMENT_INVALID_TRANSITION');
      expect((await get(token, `/api/payments/${payment.id}`)).body.payment.status).toBe('voided');
    });
  });

  describe('refunds', () => {
    it('refunds exactly: 0.10 + 0.20 of 0.30', async () => {
      const token = await newUser();
      const payment = await captured(token, '0.30');
      const first = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.10' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        refund: {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          paymentId: payment.id,
          amount: '0.10',
          currency: 'USD',
          createdAt: expect.stringMatching(ISO_MS),
        },
        payment: expect.objectContaining({ status: 'partially_refunded', capturedAmount: '0.30', refundedAmount: '0.10' }),
      });
      const second = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.20' });
      expect(second.status).toBe(201);
      expect(second.body.payment).toMatchObject({ status: 'refunded', refundedAmount: '0.30' });
      expect(second.body.refund.id).not.toBe(first.body.refund.id);

      const more = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.01' });
      expectProblem(more, 409, 'PAYMENT_INVALID_TRANSITION');
      expect(more.body.detail).toMatch(/refunded to refunded/);
    });

    it('refuses a refund beyond what is left to refund', async () => {
      const token = await newUser();
      const payment = await captured(token, '1.00');
      expect((await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.60' })).status).toBe(201);
      const over = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.41' });
      expectProblem(over, 409, 'PAYMENT_REFUND_EXCEEDS_CAPTURED');
      expect(over.body.refundable).toBe('0.40');
      const rest = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.40' });
      expect(rest.body.payment).toMatchObject({ status: 'refunded', refundedAmount: '1.00' });
    });

    it('refuses a single refund larger than the capture', async () => {
      const token = await newUser();
      const payment = await captured(token, '1.00');
      expectProblem(await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.01' }), 409, 'PAYMENT_REFUND_EXCEEDS_CAPTURED');
      expect((await get(token, `/api/payments/${payment.id}`)).body.payment).toMatchObject({ status: 'captured', refundedAmount: '0.00' });
    });

    it('keeps JPY and KWD refunds exact', async () => {
      const token = await newUser();
      const yen = await captured(token, '1000', 'JPY');
      const yenRefund = await post(token, `/api/payments/${yen.id}/refunds`, { amount: '1' });
      expect(yenRefund.body).toMatchObject({ refund: { amount: '1', currency: 'JPY' }, payment: { refundedAmount: '1', capturedAmount: '1000' } });
      expectInvalidField(await post(token, `/api/payments/${yen.id}/refunds`, { amount: '0.5' }), 'amount');

      const dinar = await captured(token, '1.234', 'KWD');
      const dinarRefund = await post(token, `/api/payments/${dinar.id}/refunds`, { amount: '0.001' });
      expect(dinarRefund.body.payment).toMatchObject({ refundedAmount: '0.001', status: 'partially_refunded' });
      const dinarRest = await post(token, `/api/payments/${dinar.id}/refunds`, { amount: '1.233' });
      expect(dinarRest.body.payment).toMatchObject({ refundedAmount: '1.234', status: 'refunded' });
    });

    it('refuses to refund an uncaptured payment', async () => {
      const token = await newUser();
      const payment = await authorized(token);
      const res = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.00' });
      expectProblem(res, 409, 'PAYMENT_INVALID_TRANSITION');
      expect(res.body.detail).toMatch(/authorized to refunded/);
    });

    it.each([
      ['a number', { amount: 1 }],
      ['zero', { amount: '0' }],
      ['too many decimals', { amount: '0.001' }],
      ['nothing', {}],
    ])('rejects %s as the amount and changes nothing', async (_case, body) => {
      const token = await newUser();
      const payment = await captured(token, '1.00');
      expectInvalidField(await post(token, `/api/payments/${payment.id}/refunds`, body), 'amount');
      expect((await get(token, `/api/payments/${payment.id}`)).body.payment).toMatchObject({ status: 'captured', refundedAmount: '0.00' });
    });
  });
});
