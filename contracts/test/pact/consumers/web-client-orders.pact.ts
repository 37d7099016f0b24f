import { createApiClient, type OrderStatus } from '../../../src';
import { jsonAnswer, orderPath, problemAnswer, unauthenticatedAnswer, validationAnswer, withSession } from '../support/api-shapes';
import { consumerPact, examples, failureOf } from '../support/consumer-pact';
import { currency, decimalAmount, eachLike, id, integer, isoTimestamp, regex } from '../support/matchers';

const items = [{ sku: 'BEANS-1KG', quantity: 2, unitPrice: '12.50' }];
const newOrder = { items, currency: 'EUR' } as const;

function orderShape(status: OrderStatus) {
  return {
    id: id(examples.orderId),
    status,
    currency: currency('EUR'),
    total: decimalAmount('25.00'),
    items: eachLike({ sku: regex('^[A-Za-z0-9._-]{1,64}$', 'BEANS-1KG'), quantity: integer(2), unitPrice: decimalAmount('12.50') }),
    paymentId: status === 'paid' ? id(examples.paymentId) : null,
    createdAt: isoTimestamp(examples.createdAt),
    updatedAt: isoTimestamp(examples.createdAt),
  };
}

const auth = withSession();

describe('web-client → orders', () => {
  const pact = consumerPact('web-client', 'orders');
  const client = (url: string) => createApiClient({ baseUrl: url, token: examples.token }).orders;

  it('places an order (201, pending)', async () => {
    pact
      .given('a user is logged in')
      .uponReceiving('an order placement')
      .withRequest({ method: 'POST', path: '/api/orders', headers: { ...auth, 'content-type': 'application/json' }, body: newOrder })
      .willRespondWith(jsonAnswer(201, { order: orderShape('pending') }));

    await pact.executeTest(async (server) => {
      const order = await client(server.url).create(newOrder);
      expect(order).toMatchObject({ id: examples.orderId, status: 'pending', total: '25.00', paymentId: null });
    });
  });

  it('names the invalid fields (400 VALIDATION_FAILED)', async () => {
    const invalid = { items: [{ sku: 'BEANS-1KG', quantity: 0, unitPrice: '12.50' }], currency: 'EUR' } as const;
    pact
      .given('a user is logged in')
      .uponReceiving('an order placement with a zero quantity')
      .withRequest({ method: 'POST', path: '/api/orders', headers: { ...auth, 'content-type': 'application/json' }, body: invalid })
      .willRespondWith(validationAnswer({ field: 'items[0].quantity', message: 'must be an integer from 1 to 1000' }));

    await pact.executeTest(async (server) => {
      const failure = await failureOf(client(server.url).create(invalid));
      expect(failure).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(failure?.errors.map((e) => e.field)).toEqual(['items[0].quantity']);
    });
  });

  it('gets one of the caller’s orders', async () => {
    pact
      .given('the user has a pending order', newOrder)
      .uponReceiving('a request for an order')
      .withRequest({ method: 'GET', path: orderPath(), headers: auth })
      .willRespondWith(jsonAnswer(200, { order: orderShape('pending') }));

    await pact.executeTest(async (server) => {
      expect(await client(server.url).get(examples.orderId)).toMatchObject({ id: examples.orderId, items });
    });
  });

  it('answers an unknown order with 404 ORDER_NOT_FOUND', async () => {
    pact
      .given('a user is logged in')
      .uponReceiving('a request for an order that does not exist')
      .withRequest({ method: 'GET', path: `/api/orders/${examples.unknownId}`, headers: auth })
      .willRespondWith(problemAnswer(404, 'ORDER_NOT_FOUND', { title: 'Order not found', detail: 'The order does not exist or is not yours.' }));

    await pact.executeTest(async (server) => {
      expect(await failureOf(client(server.url).get(examples.unknownId))).toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND' });
    });
  });

  it('lists the caller’s orders', async () => {
    pact
      .given('the user has a pending order', newOrder)
      .uponReceiving('a request for the first page of orders')
      .withRequest({ method: 'GET', path: '/api/orders', headers: auth })
      .willRespondWith(jsonAnswer(200, { orders: eachLike(orderShape('pending')), nextCursor: null }));

    await pact.executeTest(async (server) => {
      const page = await client(server.url).list();
      expect(page.orders[0]?.id).toBe(examples.orderId);
      expect(page.nextCursor).toBeNull();
    });
  });

  it('checks out a pending order: paid, with a captured payment', async () => {
    pact
      .given('the user has a pending order', newOrder)
      .uponReceiving('a checkout of a pending order')
      .withRequest({ method: 'POST', path: orderPath('/checkout'), headers: auth })
      .willRespondWith(
        jsonAnswer(200, {
          order: orderShape('paid'),
          payment: { id: id(examples.paymentId), status: 'captured', amount: decimalAmount('25.00'), currency: currency('EUR') },
        }),
      );

    await pact.executeTest(async (server) => {
      const { order, payment } = await client(server.url).checkout(examples.orderId);
      expect(order).toMatchObject({ status: 'paid', paymentId: examples.paymentId });
      expect(payment).toEqual({ id: examples.paymentId, status: 'captured', amount: '25.00', currency: 'EUR' });
    });
  });

  it('refuses to check out a paid order (409 ORDER_ALREADY_PAID)', async () => {
    pact
      .given('the user has a paid order', newOrder)
      .uponReceiving('a checkout of an order that is already paid')
      .withRequest({ method: 'POST', path: orderPath('/checkout'), headers: auth })
      .willRespondWith(problemAnswer(409, 'ORDER_ALREADY_PAID', { title: 'Order already paid', detail: 'This order has already been paid.' }));

    await pact.executeTest(async (server) => {
      expect(await failureOf(client(server.url).checkout(examples.orderId))).toMatchObject({ status: 409, code: 'ORDER_ALREADY_PAID' });
    });
  });

  it('requires a session (401 AUTH_UNAUTHENTICATED)', async () => {
    pact
      .uponReceiving('a request for orders without a token')
      .withRequest({ method: 'GET', path: '/api/orders' })
      .willRespondWith(unauthenticatedAnswer());

    await pact.executeTest(async (server) => {
      const failure = await failureOf(createApiClient({ baseUrl: server.url }).orders.list());
      expect(failure).toMatchObject({ status: 401, code: 'AUTH_UNAUTHENTICATED' });
    });
  });
});
