import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createLogger, WRITE_DEADLINE_HEADER } from '@strangler/kit';
import { testDialects, TEST_INTERNAL_TOKEN } from '@strangler/kit/testing';
import { httpPaymentsPort } from '../src/payments-client/http-payments-port';
import { sendFrozenPastDeadline, startMonolith, type RunningMonolith } from '../src/testing';
import { startPaymentsService, type RunningPaymentsService } from '@strangler/payments-service/testing';

const logger = createLogger({ name: 'payments-client', level: 'silent' });

async function newUserAndOrder(monolith: RunningMonolith) {
  const registered = await monolith.api.post('/api/auth/register', { email: `c-${randomUUID()}@example.com`, password: 'password1', name: 'C' });
  const token = registered.body.token as string;
  const order = await monolith.api.post('/api/orders', { items: [{ sku: 'SKU-1', quantity: 3, unitPrice: '3.33' }] }, { token });
  expect(order.status).toBe(201);
  return { token, orderId: order.body.order.id as string };
}

/** A proxy in front of the service that lets the first create through but never answers it: the
 * payment exists, the client saw a failure. */
async function losingFirstResponse(target: string) {
  let lost = false;
  const server = http.createServer((req, res) => {
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      if (!lost && req.method === 'POST' && req.url === '/api/payments') {
        lost = true;
        answer.resume();
        answer.on('end', () => res.socket?.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

describe.each(testDialects())('checkout through the HTTP payments client on %s', (dialect) => {
  const extraPeers: string[] = [];
  let service: RunningPaymentsService;
  let monolith: RunningMonolith;
  beforeAll(async () => {
    service = await startPaymentsService(dialect, { peers: () => [monolith.url, ...extraPeers], internalToken: TEST_INTERNAL_TOKEN });
    monolith = await startMonolith(dialect, {
      internalToken: TEST_INTERNAL_TOKEN,
      paymentsPort: httpPaymentsPort({ baseUrl: service.url, timeoutMs: 2_000, retries: 2, logger, backoffMs: () => 10 }),
    });
  });
  afterAll(async () => {
    await monolith?.stop();
    await service?.stop();
  });

  it('pays the order on the payments service, not in the monolith', async () => {
    const { token, orderId } = await newUserAndOrder(monolith);
    const checkout = await monolith.api.post(`/api/orders/${orderId}/checkout`, undefined, { token });
    expect(checkout.status).toBe(200);
    expect(checkout.body.order).toMatchObject({ id: orderId, status: 'paid', total: '9.99' });
    expect(checkout.body.payment).toEqual({ id: expect.any(String), status: 'captured', amount: '9.99', currency: 'USD' });
    const onService = await service.api.get(`/api/payments/${checkout.body.payment.id}`, { token });
    expect(onService.status).toBe(200);
    expect(onService.body.payment).toMatchObject({ status: 'captured', capturedAmount: '9.99', orderId });
    const inMonolith = await monolith.db.knex('payments').where({ id: checkout.body.payment.id }).first();
    expect(inMonolith).toBeUndefined();
    const again = await monolith.api.post(`/api/orders/${orderId}/checkout`, undefined, { token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORDER_ALREADY_PAID');
    const list = await service.api.get('/api/payments', { token });
    expect(list.body.payments).toHaveLength(1);
  });

  it('retries a lost response with the same Idempotency-Key and charges once', async () => {
    const proxy = await losingFirstResponse(service.url);
    const flaky = await startMonolith(dialect, {
      internalToken: TEST_INTERNAL_TOKEN,
      paymentsPort: httpPaymentsPort({ baseUrl: proxy.url, timeoutMs: 2_000, retries: 2, logger, backoffMs: () => 10 }),
    });
    // The service must accept this second monolith's tokens too.
    extraPeers.push(flaky.url);
    try {
      const registered = await flaky.api.post('/api/auth/register', { email: `f-${randomUUID()}@example.com`, password: 'password1', name: 'F' });
      const token = registered.body.token as string;
      const order = await flaky.api.post('/api/orders', { items: [{ sku: 'SKU-2', quantity: 1, unitPrice: '5.00' }] }, { token });
      const checkout = await flaky.api.post(`/api/orders/${order.body.order.id}/checkout`, undefined, { token });
      expect(checkout.status).toBe(200);
      const list = await service.api.get('/api/payments', { token });
      expect(list.body.payments).toHaveLength(1);
      expect(list.body.payments[0]).toMatchObject({ status: 'captured', amount: '5.00' });
    } finally {
      extraPeers.length = 0;
      await flaky.stop();
      await proxy.close();
    }
  });

  it("passes the edge's write deadline on to the service: a charge frozen there past it is not done (503, no payment, order pending); the retry pays once", async () => {
    const { token, orderId } = await newUserAndOrder(monolith);
    const checkout = (headers: Record<string, string>) => monolith.api.post(`/api/orders/${orderId}/checkout`, undefined, { token, headers });
    const { answer, frozeInside } = await sendFrozenPastDeadline(service.db.knex, /^insert into [`"]?payments/i, checkout);
    expect(frozeInside).toBe(true);
    expect({ status: answer.status, code: answer.body?.code, retryable: answer.body?.retryable }).toEqual({ status: 503, code: 'WRITE_DEADLINE_PASSED', retryable: true });
    expect(await service.db.knex('payments').where({ order_id: orderId })).toEqual([]);
    expect((await monolith.api.get(`/api/orders/${orderId}`, { token })).body.order.status).toBe('pending');
    const retry = await checkout({ [WRITE_DEADLINE_HEADER]: String(Date.now() + 60_000) });
    expect(retry.status).toBe(200);
    expect(await service.db.knex('payments').where({ order_id: orderId }).select('id', 'status')).toEqual([{ id: retry.body.payment.id, status: 'captured' }]);
  });

  it('answers a clear, retryable 503 when the payments service is unreachable, and keeps the order', async () => {
    const unreachable = await startMonolith(dialect, {
      paymentsPort: httpPaymentsPort({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500, retries: 1, logger, backoffMs: () => 10 }),
    });
    try {
      const { token, orderId } = await newUserAndOrder(unreachable);
      const checkout = await unreachable.api.post(`/api/orders/${orderId}/checkout`, undefined, { token });
      expect(checkout.status).toBe(503);
      expect(checkout.body).toMatchObject({ code: 'PAYMENTS_UNAVAILABLE', retryable: true });
      const order = await unreachable.api.get(`/api/orders/${orderId}`, { token });
      expect(order.body.order.status).toBe('pending');
    } finally {
      await unreachable.stop();
    }
  });
});
