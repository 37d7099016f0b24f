import { AppError, createLogger } from '@strangler/kit';
import { httpPaymentsPort, type OrderCharge } from '@strangler/monolith';
import { invalidTransitionAnswer, jsonAnswer, paymentCore, paymentPath, unauthenticatedAnswer, withSession } from '../support/api-shapes';
import { consumerPact, examples, failureOf } from '../support/consumer-pact';
import { decimalAmount, regex } from '../support/matchers';

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
const auth = withSession();

/** Only what httpPaymentsPort reads: a consumer-driven contract asks for nothing more. */
const paymentShape = (status: 'authorized' | 'captured', captured: string) => paymentCore(status, { amount: '25.00', currency: 'EUR', captured });

/** What httpPaymentsPort sends to create the order's payment, with the given Authorization. */
const chargeRequest = (authorization: string | ReturnType<typeof withSession>['authorization']) => ({
  method: 'POST',
  path: '/api/payments',
  headers: {
    authorization,
    'idempotency-key': regex(`^order-${UUID}-checkout$`, charge.idempotencyKey),
    'content-type': 'application/json',
  },
  body: {
    amount: decimalAmount('25.00'),
    currency: 'EUR',
    description: regex(`^Order ${UUID}$`, charge.description),
    orderId: regex(`^${UUID}$`, charge.orderId),
  },
});

const captureRequest = () => ({
  method: 'POST',
  path: paymentPath('/capture'),
  headers: { ...auth, 'idempotency-key': regex(`^order-${UUID}-checkout:capture$`, `${charge.idempotencyKey}:capture`) },
});

describe('monolith-checkout → payments', () => {
  const pact = consumerPact('monolith-checkout', 'payments');
  const port = (url: string) =>
    httpPaymentsPort({ baseUrl: url, timeoutMs: 2_000, retries: 0, logger: createLogger({ name: 'payments-client', level: 'silent' }) });

  const createsThePayment = () =>
    pact
      .given('a user is logged in')
      .uponReceiving('a payment creation for an order checkout')
      .withRequest(chargeRequest(auth.authorization))
      .willRespondWith(jsonAnswer(201, { payment: paymentShape('authorized', '0.00') }));

  it('creates the payment, then captures it, each under its own Idempotency-Key', async () => {
    createsThePayment()
      .given('the user has an authorized payment', { amount: '25.00', currency: 'EUR' })
      .uponReceiving('a capture for an order checkout')
      .withRequest(captureRequest())
      .willRespondWith(jsonAnswer(200, { payment: paymentShape('captured', '25.00') }));

    await pact.executeTest(async (server) => {
      const paid = await port(server.url).chargeOrder(charge);
      expect(paid).toEqual({ id: examples.paymentId, status: 'captured', amount: '25.00', currency: 'EUR' });
    });
  });

  it('accepts a payment that was captured meanwhile (409 on capture, then reads it)', async () => {
    createsThePayment()
      .given('the user has a captured payment', { amount: '25.00', currency: 'EUR' })
      .uponReceiving('a capture for an order checkout of a payment already captured')
      .withRequest(captureRequest())
      .willRespondWith(invalidTransitionAnswer('captured', 'captured'))
      .given('the user has a captured payment', { amount: '25.00', currency: 'EUR' })
      .uponReceiving('a read of a captured payment for an order checkout')
      .withRequest({ method: 'GET', path: paymentPath(), headers: auth })
      .willRespondWith(jsonAnswer(200, { payment: paymentShape('captured', '25.00') }));

    await pact.executeTest(async (server) => {
      const paid = await port(server.url).chargeOrder(charge);
      expect(paid).toEqual({ id: examples.paymentId, status: 'captured', amount: '25.00', currency: 'EUR' });
    });
  });

  it("passes the service's problem through when the token is refused (401)", async () => {
    pact
      .uponReceiving('a payment creation for an order checkout with a token nobody issued')
      // A fixed token, not one a provider state issued: nobody issued it.
      .withRequest(chargeRequest(`Bearer ${examples.token}`))
      .willRespondWith(unauthenticatedAnswer());

    await pact.executeTest(async (server) => {
      const failure = await failureOf<AppError>(port(server.url).chargeOrder(charge));
      expect(failure).toBeInstanceOf(AppError);
      expect(failure).toMatchObject({ status: 401, code: 'AUTH_UNAUTHENTICATED', title: 'Unauthenticated' });
    });
  });
});
