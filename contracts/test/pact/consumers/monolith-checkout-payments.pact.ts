import { AppError, createLogger } from '@strangler/kit';
import { httpPaymentsPort } from '../../../../monolith/src/payments-client/http-payments-port';
import type { OrderCharge } from '../../../../monolith/src/payments/payments-port';
import { consumerPact, examples, executeTest } from '../support/consumer-pact';
import {
  bearerFromState,
  currency,
  decimalAmount,
  id,
  JSON_CONTENT_TYPE,
  pathFromState,
  problem,
  PROBLEM_CONTENT_TYPE,
  regex,
} from '../support/matchers';

/**
 * The monolith's checkout as a client of the payments API (monolith/src/payments-client): the real
 * httpPaymentsPort, pointed at the Pact mock server. What it sends and reads is what the payments
 * service (and the monolith's own payments routes) must keep serving.
 */

const charge: OrderCharge = {
  userId: examples.userId,
  bearerToken: examples.token,
  orderId: examples.orderId,
  amountMinor: 2500n,
  currency: 'EUR',
  description: `Order ${examples.orderId}`,
  idempotencyKey: `order-${examples.orderId}-checkout`,
};

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const auth = { authorization: bearerFromState(examples.token) };

/** Only what httpPaymentsPort reads: a consumer-driven contract asks for nothing more. */
function paymentShape(status: 'authorized' | 'captured', captured: string) {
  return {
    id: id(examples.paymentId),
    amount: decimalAmount('25.00'),
    currency: currency('EUR'),
    status,
    capturedAmount: decimalAmount(captured),
  };
}

const capturePath = pathFromState('/api/payments/${paymentId}/capture', `/api/payments/${examples.paymentId}/capture`);

describe('monolith-checkout → payments', () => {
  const pact = consumerPact('monolith-checkout', 'payments');
  const port = (url: string) =>
    httpPaymentsPort({ baseUrl: url, timeoutMs: 2_000, retries: 0, logger: createLogger({ name: 'payments-client', level: 'silent' }) });

  const createsThePayment = () =>
    pact
      .given('a user is logged in')
      .uponReceiving('a payment creation for an order checkout')
      .withRequest({
        method: 'POST',
        path: '/api/payments',
        headers: {
          ...auth,
          'idempotency-key': regex(`^order-${UUID}-checkout$`, charge.idempotencyKey),
          'content-type': 'application/json',
        },
        body: {
          amount: decimalAmount('25.00'),
          currency: 'EUR',
          description: regex(`^Order ${UUID}$`, charge.description),
          orderId: regex(`^${UUID}$`, charge.orderId),
        },
      })
      .willRespondWith({ status: 201, headers: JSON_CONTENT_TYPE, body: { payment: paymentShape('authorized', '0.00') } });

  it('creates the payment, then captures it, each under its own Idempotency-Key', async () => {
    createsThePayment()
      .given('the user has an authorized payment', { amount: '25.00', currency: 'EUR' })
      .uponReceiving('a capture for an order checkout')
      .withRequest({
        method: 'POST',
        path: capturePath,
        headers: { ...auth, 'idempotency-key': regex(`^order-${UUID}-checkout:capture$`, `${charge.idempotencyKey}:capture`) },
      })
      .willRespondWith({ status: 200, headers: JSON_CONTENT_TYPE, body: { payment: paymentShape('captured', '25.00') } });

    await executeTest(pact, async (server) => {
      const paid = await port(server.url).chargeOrder(charge);
      expect(paid).toEqual({ id: examples.paymentId, status: 'captured', amount: '25.00', currency: 'EUR' });
    });
  });

  it('accepts a payment that was captured meanwhile (409 on capture, then reads it)', async () => {
    createsThePayment()
      .given('the user has a captured payment', { amount: '25.00', currency: 'EUR' })
      .uponReceiving('a capture for an order checkout of a payment already captured')
      .withRequest({
        method: 'POST',
        path: capturePath,
        headers: { ...auth, 'idempotency-key': regex(`^order-${UUID}-checkout:capture$`, `${charge.idempotencyKey}:capture`) },
      })
      .willRespondWith({
        status: 409,
        headers: PROBLEM_CONTENT_TYPE,
        body: problem(409, 'PAYMENT_INVALID_TRANSITION', {
          title: 'Invalid payment transition',
          detail: 'A payment cannot go from captured to captured.',
        }),
      })
      .given('the user has a captured payment', { amount: '25.00', currency: 'EUR' })
      .uponReceiving('a read of a captured payment for an order checkout')
      .withRequest({
        method: 'GET',
        path: pathFromState('/api/payments/${paymentId}', `/api/payments/${examples.paymentId}`),
        headers: auth,
      })
      .willRespondWith({ status: 200, headers: JSON_CONTENT_TYPE, body: { payment: paymentShape('captured', '25.00') } });

    await executeTest(pact, async (server) => {
      const paid = await port(server.url).chargeOrder(charge);
      expect(paid).toEqual({ id: examples.paymentId, status: 'captured', amount: '25.00', currency: 'EUR' });
    });
  });

  it("passes the service's problem through when the token is refused (401)", async () => {
    pact
      .uponReceiving('a payment creation for an order checkout with a token nobody issued')
      .withRequest({
        method: 'POST',
        path: '/api/payments',
        headers: {
          authorization: `Bearer ${examples.token}`,
          'idempotency-key': regex(`^order-${UUID}-checkout$`, charge.idempotencyKey),
          'content-type': 'application/json',
        },
        body: {
          amount: decimalAmount('25.00'),
          currency: 'EUR',
          description: regex(`^Order ${UUID}$`, charge.description),
          orderId: regex(`^${UUID}$`, charge.orderId),
        },
      })
      .willRespondWith({
        status: 401,
        headers: PROBLEM_CONTENT_TYPE,
        body: problem(401, 'AUTH_UNAUTHENTICATED', { title: 'Unauthenticated', detail: 'A valid bearer token is required.' }),
      });

    await executeTest(pact, async (server) => {
      const failure = await port(server.url).chargeOrder(charge).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(AppError);
      expect(failure).toMatchObject({ status: 401, code: 'AUTH_UNAUTHENTICATED', title: 'Unauthenticated' });
    });
  });
});
