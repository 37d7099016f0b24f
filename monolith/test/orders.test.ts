import { randomUUID } from 'node:crypto';
import { AppError, systemClock } from '@strangler/kit';
import { testDialects, type TestResponse } from '@strangler/kit/testing';
import { createPaymentsModule } from '../src/payments/payments-module';
import type { OrderCharge, PaymentsPort } from '../src/payments/payments-port';
import { startMonolith, type RunningMonolith } from '../src/testing';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(testDialects())('monolith orders API on %s', (dialect) => {
  let monolith: RunningMonolith;
  beforeAll(async () => {
    monolith = await startMonolith(dialect);
  });
  afterAll(async () => {
    await monolith.stop();
  });

  async function newUser(target: RunningMonolith = monolith): Promise<string> {
    const res = await target.api.post('/api/auth/register', {
      email: `shopper-${randomUUID()}@example.com`,
      password: 'correct horse battery',
      name: 'Shopper',
    });
    expect(res.status).toBe(201);
    return res.body.token as string;
  }

  const item = (sku: string, quantity: number, unitPrice: string) => ({ sku, quantity, unitPrice });
  const get = (token: string, path: string, target: RunningMonolith = monolith) => target.api.get(path, { token });
  const post = (token: string, path: string, body?: unknown, target: RunningMonolith = monolith, headers: Record<string, string> = {}) =>
    target.api.post(path, body, { token, headers });

  async function placed(token: string, body: unknown = { items: [item('SKU-1', 2, '4.50')] }, target = monolith) {
    const res = await post(token, '/api/orders', body, target);
    expect(res.status).toBe(201);
    return res.body.order as { id: string; total: string; currency: string; createdAt: string; status: string };
  }

  function expectProblem(res: TestResponse, status: number, code: string): void {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  }

  function expectInvalidField(res: TestResponse, field: string): void {
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]));
  }

  describe('place', () => {
    it('creates a pending order with an exact total', async () => {
      const token = await newUser();
      const res = await post(token, '/api/orders', { items: [item('A-1', 3, '0.10'), item('b_2.x', 1, '0.20')] });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        order: {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          status: 'pending',
          currency: 'USD',
          total: '0.50',
          items: [
            { sku: 'A-1', quantity: 3, unitPrice: '0.10' },
            { sku: 'b_2.x', quantity: 1, unitPrice: '0.20' },
          ],
          paymentId: null,
          createdAt: expect.stringMatching(ISO_MS),
          updatedAt: expect.stringMatching(ISO_MS),
        },
      });
      const read = await get(token, `/api/orders/${res.body.order.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
    });

    it.each([
      ['JPY', [item('TEA', 3, '1000'), item('CUP', 1, '250')], '3250'],
      ['KWD', [item('OIL', 3, '0.333')], '0.999'],
      ['EUR', [item('BIG', 1000, '999999999.99')], '999999999990.00'],
      ['GBP', [item('PENNY', 1000, '0.01')], '10.00'],
    ])('totals %s exactly', async (currency, items, total) => {
      const token = await newUser();
      const order = await placed(token, { currency, items });
      expect(order).toMatchObject({ currency, total });
      expect((await get(token, `/api/orders/${order.id}`)).body.order.total).toBe(total);
    });

    const tooMany = Array.from({ length: 101 }, (_, i) => item(`SKU-${i}`, 1, '1.00'));
    it.each([
      ['no items', {}, 'items'],
      ['an empty item list', { items: [] }, 'items'],
      ['101 items', { items: tooMany }, 'items'],
      ['items that are not an array', { items: 'SKU-1' }, 'items'],
      ['an empty sku', { items: [item('', 1, '1.00')] }, 'items[0].sku'],
      ['a sku with spaces', { items: [item('SKU 1', 1, '1.00')] }, 'items[0].sku'],
      ['a 65-character sku', { items: [item('s'.repeat(65), 1, '1.00')] }, 'items[0].sku'],
      ['quantity 0', { items: [item('A', 0, '1.00')] }, 'items[0].quantity'],
      ['quantity 1001', { items: [item('A', 1001, '1.00')] }, 'items[0].quantity'],
      ['a fractional quantity', { items: [item('A', 1.5, '1.00')] }, 'items[0].quantity'],
      ['a string quantity', { items: [{ sku: 'A', quantity: '2', unitPrice: '1.00' }] }, 'items[0].quantity'],
      ['a number unit price', { items: [{ sku: 'A', quantity: 1, unitPrice: 1.5 }] }, 'items[0].unitPrice'],
      ['a zero unit price', { items: [item('A', 1, '0.00')] }, 'items[0].unitPrice'],
      ['too many decimals for USD', { items: [item('A', 1, '1.00'), item('B', 1, '1.001')] }, 'items[1].unitPrice'],
      ['decimals for JPY', { currency: 'JPY', items: [item('A', 1, '1.5')] }, 'items[0].unitPrice'],
      ['an unknown currency', { currency: 'XYZ', items: [item('A', 1, '1.00')] }, 'currency'],
      ['a total beyond 12 digits', { items: [item('A', 1000, '999999999999.99')] }, 'items'],
    ])('rejects %s, naming the field and writing nothing', async (_case, body, field) => {
      const token = await newUser();
      expectInvalidField(await post(token, '/api/orders', body), field);
      expect((await get(token, '/api/orders')).body.orders).toEqual([]);
    });

    it('requires authentication', async () => {
      expectProblem(await monolith.api.post('/api/orders', { items: [item('A', 1, '1.00')] }), 401, 'AUTH_UNAUTHENTICATED');
    });
  });

  describe('read', () => {
    it('hides other users’ orders as 404', async () => {
      const [alice, bob] = await Promise.all([newUser(), newUser()]);
      const order = await placed(alice);
      expectProblem(await get(bob, `/api/orders/${order.id}`), 404, 'ORDER_NOT_FOUND');
      expectProblem(await post(bob, `/api/orders/${order.id}/checkout`), 404, 'ORDER_NOT_FOUND');
      expect((await get(alice, `/api/orders/${order.id}`)).body.order.status).toBe('pending');
    });

    it.each([randomUUID(), 'nope', '1'])('answers 404 for unknown id %s', async (id) => {
      const token = await newUser();
      expectProblem(await get(token, `/api/orders/${id}`), 404, 'ORDER_NOT_FOUND');
      expectProblem(await post(token, `/api/orders/${id}/checkout`), 404, 'ORDER_NOT_FOUND');
    });

    it('pages through the caller’s orders newest first without overlap', async () => {
      const [token, stranger] = await Promise.all([newUser(), newUser()]);
      await placed(stranger);
      const created = [];
      for (let i = 0; i < 5; i += 1) created.push(await placed(token, { items: [item(`SKU-${i}`, i + 1, '1.00')] }));
      const expected = [...created].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)).map((o) => o.id);

      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const res: TestResponse = await get(token, `/api/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        pageSizes.push(res.body.orders.length);
        seen.push(...res.body.orders.map((o: { id: string }) => o.id));
        cursor = res.body.nextCursor;
      } while (cursor !== null && pageSizes.length < 10);
      expect(pageSizes).toEqual([2, 2, 1]);
      expect(seen).toEqual(expected);
    });

    it('lists full orders, items included', async () => {
      const token = await newUser();
      const order = await placed(token, { currency: 'CHF', items: [item('X', 2, '3.25'), item('Y', 1, '0.05')] });
      const res = await get(token, '/api/orders');
      expect(res.body).toEqual({ orders: [order], nextCursor: null });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=%%%', 'cursor'],
      [`cursor=${Buffer.from('[-1,"a"]').toString('base64url')}`, 'cursor'],
    ])('rejects %s naming %s', async (query, field) => {
      const token = await newUser();
      expectInvalidField(await get(token, `/api/orders?${query}`), field);
    });
  });

  describe('checkout', () => {
    it('charges the order once and marks it paid', async () => {
      const token = await newUser();
      const order = await placed(token, { currency: 'KWD', items: [item('OIL', 2, '1.234')] });
      const res = await post(token, `/api/orders/${order.id}/checkout`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        order: expect.objectContaining({ id: order.id, status: 'paid', total: '2.468', paymentId: expect.any(String) }),
        payment: { id: res.body.order.paymentId, status: 'captured', amount: '2.468', currency: 'KWD' },
      });
      expect((await get(token, `/api/orders/${order.id}`)).body.order).toEqual(res.body.order);

      const payment = await get(token, `/api/payments/${res.body.payment.id}`);
      expect(payment.body.payment).toMatchObject({
        status: 'captured',
        amount: '2.468',
        capturedAmount: '2.468',
        currency: 'KWD',
        orderId: order.id,
        description: `Order ${order.id}`,
      });

      expectProblem(await post(token, `/api/orders/${order.id}/checkout`), 409, 'ORDER_ALREADY_PAID');
      expect((await get(token, '/api/payments')).body.payments).toHaveLength(1);
    });

    it('pays once when the same order is checked out concurrently', async () => {
      const token = await newUser();
      const order = await placed(token);
      const results = await Promise.all(Array.from({ length: 4 }, () => post(token, `/api/orders/${order.id}/checkout`)));
      expect(results.filter((res) => res.status === 200)).toHaveLength(1);
      expect(results.filter((res) => res.status === 409 && res.body.code === 'ORDER_ALREADY_PAID')).toHaveLength(3);
      const payments = (await get(token, '/api/payments')).body.payments;
      expect(payments).toHaveLength(1);
      expect(payments[0]).toMatchObject({ status: 'captured', amount: '9.00', orderId: order.id });
    });

    it('reuses a payment already made with the checkout’s idempotency key', async () => {
      const token = await newUser();
      const order = await placed(token);
      // What an interrupted checkout through a remote payments service would have left behind.
      const earlier = await post(
        token,
        '/api/payments',
        { amount: order.total, currency: order.currency, description: `Order ${order.id}`, orderId: order.id },
        monolith,
        { 'idempotency-key': `order-${order.id}-checkout` },
      );
      expect(earlier.status).toBe(201);
      const res = await post(token, `/api/orders/${order.id}/checkout`);
      expect(res.status).toBe(200);
      expect(res.body.payment).toEqual({ id: earlier.body.payment.id, status: 'captured', amount: '9.00', currency: 'USD' });
      expect((await get(token, '/api/payments')).body.payments).toHaveLength(1);
    });

    it('requires authentication', async () => {
      expectProblem(await monolith.api.post(`/api/orders/${randomUUID()}/checkout`), 401, 'AUTH_UNAUTHENTICATED');
    });
  });

  describe('checkout through another PaymentsPort', () => {
    let inner: PaymentsPort | undefined;
    let failures: Array<'before' | 'after'> = [];
    const charges: OrderCharge[] = [];
    const unavailable = () => new AppError('PAYMENTS_UNAVAILABLE', 503, 'Payments unavailable', 'Try again later.');
    /** The real in-process port, made to fail before or after charging, as a remote one could. */
    const flakyPort: PaymentsPort = {
      async chargeOrder(charge) {
        charges.push(charge);
        const failure = failures.shift();
        if (failure === 'before') throw unavailable();
        const payment = await inner!.chargeOrder(charge);
        if (failure === 'after') throw unavailable();
        return payment;
      },
    };
    let withPort: RunningMonolith;
    beforeAll(async () => {
      withPort = await startMonolith(dialect, { paymentsPort: flakyPort });
      inner = createPaymentsModule({ knex: withPort.db.knex, clock: systemClock, authenticate: (_req, _res, next) => next() }).port;
    });
    afterAll(async () => {
      await withPort.stop();
    });

    it('passes the order, a stable idempotency key and the caller’s token to the port', async () => {
      const token = await newUser(withPort);
      const order = await placed(token, { currency: 'JPY', items: [item('TEA', 2, '500')] }, withPort);
      charges.length = 0;
      expect((await post(token, `/api/orders/${order.id}/checkout`, undefined, withPort)).status).toBe(200);
      expect(charges).toEqual([
        {
          userId: expect.any(String),
          bearerToken: token,
          orderId: order.id,
          amountMinor: 1000n,
          currency: 'JPY',
          description: `Order ${order.id}`,
          idempotencyKey: `order-${order.id}-checkout`,
        },
      ]);
    });

    it('lets the port’s error through and leaves the order pending', async () => {
      const token = await newUser(withPort);
      const order = await placed(token, undefined, withPort);
      failures = ['before'];
      expectProblem(await post(token, `/api/orders/${order.id}/checkout`, undefined, withPort), 503, 'PAYMENTS_UNAVAILABLE');
      expect((await get(token, `/api/orders/${order.id}`, withPort)).body.order).toMatchObject({ status: 'pending', paymentId: null });
      expect((await get(token, '/api/payments', withPort)).body.payments).toEqual([]);
    });

    it('never charges twice when a checkout is retried after the charge went through', async () => {
      const token = await newUser(withPort);
      const order = await placed(token, undefined, withPort);
      failures = ['after'];
      expectProblem(await post(token, `/api/orders/${order.id}/checkout`, undefined, withPort), 503, 'PAYMENTS_UNAVAILABLE');
      expect((await get(token, `/api/orders/${order.id}`, withPort)).body.order.status).toBe('pending');

      const retry = await post(token, `/api/orders/${order.id}/checkout`, undefined, withPort);
      expect(retry.status).toBe(200);
      const payments = (await get(token, '/api/payments', withPort)).body.payments;
      expect(payments).toHaveLength(1);
      expect(payments[0]).toMatchObject({ id: retry.body.payment.id, status: 'captured', capturedAmount: '9.00' });
      expect(retry.body.order).toMatchObject({ status: 'paid', paymentId: payments[0].id });
    });
  });
});
