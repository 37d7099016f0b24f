import { createApiClient, HttpTransport, ProblemError } from '../../../src';
import {
  invalidTransitionAnswer,
  jsonAnswer,
  paymentPath,
  paymentShape,
  problemAnswer,
  unauthenticatedAnswer,
  validationAnswer,
  withSession,
} from '../support/api-shapes';
import { consumerPact, examples, failureOf } from '../support/consumer-pact';
import { currency, decimalAmount, eachLike, id, isoTimestamp, regex } from '../support/matchers';

const IDEMPOTENCY_KEY = '^[\\x20-\\x7e]{1,255}$';
const key = 'a2f4c6e8-checkout-7f1c';

const authorized = paymentShape('authorized', { amount: '19.99', captured: '0.00', refunded: '0.00' });
const payment = { amount: '19.99', currency: 'USD' } as const;
/** Provider-state params: the payment the state creates (with a description, which can be null). */
const existing = { ...payment, description: 'Coffee beans' };
const auth = withSession();

describe('web-client → payments', () => {
  const pact = consumerPact('web-client', 'payments');
  const client = (url: string) => createApiClient({ baseUrl: url, token: examples.token }).payments;

  describe('create', () => {
    it('authorizes a payment (201) under an Idempotency-Key', async () => {
      pact
        .given('a user is logged in')
        .uponReceiving('a payment creation')
        .withRequest({
          method: 'POST',
          path: '/api/payments',
          headers: { ...auth, 'idempotency-key': regex(IDEMPOTENCY_KEY, key), 'content-type': 'application/json' },
          body: { amount: '19.99', currency: 'USD', description: 'Coffee beans' },
        })
        .willRespondWith(jsonAnswer(201, { payment: authorized }));

      await pact.executeTest(async (server) => {
        const created = await client(server.url).create({ amount: '19.99', currency: 'USD', description: 'Coffee beans' }, { idempotencyKey: key });
        expect(created).toMatchObject({ id: examples.paymentId, status: 'authorized', amount: '19.99', capturedAmount: '0.00' });
      });
    });

    it('requires an Idempotency-Key (400 IDEMPOTENCY_KEY_REQUIRED)', async () => {
      pact
        .given('a user is logged in')
        .uponReceiving('a payment creation without an Idempotency-Key')
        .withRequest({ method: 'POST', path: '/api/payments', headers: { ...auth, 'content-type': 'application/json' }, body: payment })
        .willRespondWith(problemAnswer(400, 'IDEMPOTENCY_KEY_REQUIRED', { title: 'Idempotency key required', detail: 'This request needs an Idempotency-Key header.' }));

      await pact.executeTest(async (server) => {
        // The typed client always sends a key: this is what a raw caller that forgets it gets.
        const transport = new HttpTransport({ baseUrl: server.url, token: examples.token });
        const failure = await failureOf(transport.send({ method: 'POST', path: '/api/payments', body: payment }));
        expect(failure).toMatchObject({ status: 400, code: 'IDEMPOTENCY_KEY_REQUIRED' });
      });
    });

    it('names the invalid fields (400 VALIDATION_FAILED)', async () => {
      const invalid = { amount: '19.999', currency: 'USD' };
      pact
        .given('a user is logged in')
        .uponReceiving('a payment creation with too many decimals')
        .withRequest({
          method: 'POST',
          path: '/api/payments',
          headers: { ...auth, 'idempotency-key': regex(IDEMPOTENCY_KEY, key), 'content-type': 'application/json' },
          body: invalid,
        })
        .willRespondWith(validationAnswer({ field: 'amount', message: 'USD allows at most 2 decimal places' }));

      await pact.executeTest(async (server) => {
        const failure = await failureOf(client(server.url).create({ amount: '19.999', currency: 'USD' }, { idempotencyKey: key }));
        expect(failure).toBeInstanceOf(ProblemError);
        expect(failure?.errors.map((e) => e.field)).toEqual(['amount']);
      });
    });

    it('refuses a reused Idempotency-Key with another body (422 IDEMPOTENCY_KEY_REUSED)', async () => {
      pact
        .given('the user has created a payment with the idempotency key', { idempotencyKey: key, amount: '19.99', currency: 'USD' })
        .uponReceiving('a payment creation reusing an Idempotency-Key for another amount')
        .withRequest({
          method: 'POST',
          path: '/api/payments',
          headers: { ...auth, 'idempotency-key': key, 'content-type': 'application/json' },
          body: { amount: '25.00', currency: 'USD' },
        })
        .willRespondWith(
          problemAnswer(422, 'IDEMPOTENCY_KEY_REUSED', { title: 'Idempotency key reused', detail: 'This Idempotency-Key was already used for a different request.' }),
        );

      await pact.executeTest(async (server) => {
        const failure = await failureOf(client(server.url).create({ amount: '25.00', currency: 'USD' }, { idempotencyKey: key }));
        expect(failure).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      });
    });

    it('requires a session (401 AUTH_UNAUTHENTICATED)', async () => {
      pact
        .uponReceiving('a payment creation without a token')
        .withRequest({
          method: 'POST',
          path: '/api/payments',
          headers: { 'idempotency-key': regex(IDEMPOTENCY_KEY, key), 'content-type': 'application/json' },
          body: payment,
        })
        .willRespondWith(unauthenticatedAnswer());

      await pact.executeTest(async (server) => {
        const failure = await failureOf(createApiClient({ baseUrl: server.url }).payments.create({ amount: '19.99', currency: 'USD' }, { idempotencyKey: key }));
        expect(failure).toMatchObject({ status: 401, code: 'AUTH_UNAUTHENTICATED' });
      });
    });
  });

  describe('read', () => {
    it('gets one of the caller’s payments', async () => {
      pact
        .given('the user has an authorized payment', existing)
        .uponReceiving('a request for a payment')
        .withRequest({ method: 'GET', path: paymentPath(), headers: auth })
        .willRespondWith(jsonAnswer(200, { payment: authorized }));

      await pact.executeTest(async (server) => {
        expect(await client(server.url).get(examples.paymentId)).toMatchObject({ id: examples.paymentId, status: 'authorized' });
      });
    });

    it('answers an unknown payment with 404 PAYMENT_NOT_FOUND', async () => {
      pact
        .given('a user is logged in')
        .uponReceiving('a request for a payment that does not exist')
        .withRequest({ method: 'GET', path: `/api/payments/${examples.unknownId}`, headers: auth })
        .willRespondWith(problemAnswer(404, 'PAYMENT_NOT_FOUND', { title: 'Payment not found', detail: 'The payment does not exist or is not yours.' }));

      await pact.executeTest(async (server) => {
        expect(await failureOf(client(server.url).get(examples.unknownId))).toMatchObject({ status: 404, code: 'PAYMENT_NOT_FOUND' });
      });
    });

    it('lists the caller’s payments, newest first, a page at a time', async () => {
      pact
        .given('the user has an authorized payment', existing)
        .uponReceiving('a request for the first page of payments')
        .withRequest({ method: 'GET', path: '/api/payments', query: { limit: '10' }, headers: auth })
        .willRespondWith(jsonAnswer(200, { payments: eachLike(authorized), nextCursor: null }));

      await pact.executeTest(async (server) => {
        const page = await client(server.url).list({ limit: 10 });
        expect(page.payments[0]?.id).toBe(examples.paymentId);
        expect(page.nextCursor).toBeNull();
      });
    });
  });

  describe('state changes', () => {
    it('captures an authorized payment', async () => {
      pact
        .given('the user has an authorized payment', existing)
        .uponReceiving('a capture of an authorized payment')
        .withRequest({ method: 'POST', path: paymentPath('/capture'), headers: auth })
        .willRespondWith(jsonAnswer(200, { payment: paymentShape('captured', { amount: '19.99', captured: '19.99', refunded: '0.00' }) }));

      await pact.executeTest(async (server) => {
        expect(await client(server.url).capture(examples.paymentId)).toMatchObject({ status: 'captured', capturedAmount: '19.99' });
      });
    });

    it('refuses to capture twice (409 PAYMENT_INVALID_TRANSITION)', async () => {
      pact
        .given('the user has a captured payment', existing)
        .uponReceiving('a capture of a payment that is already captured')
        .withRequest({ method: 'POST', path: paymentPath('/capture'), headers: auth })
        .willRespondWith(invalidTransitionAnswer('captured', 'captured'));

      await pact.executeTest(async (server) => {
        expect(await failureOf(client(server.url).capture(examples.paymentId))).toMatchObject({ status: 409, code: 'PAYMENT_INVALID_TRANSITION' });
      });
    });

    it('voids an authorized payment', async () => {
      pact
        .given('the user has an authorized payment', existing)
        .uponReceiving('a void of an authorized payment')
        .withRequest({ method: 'POST', path: paymentPath('/void'), headers: auth })
        .willRespondWith(jsonAnswer(200, { payment: paymentShape('voided', { amount: '19.99', captured: '0.00', refunded: '0.00' }) }));

      await pact.executeTest(async (server) => {
        expect(await client(server.url).void(examples.paymentId)).toMatchObject({ status: 'voided' });
      });
    });

    it('refunds part of a captured payment (201)', async () => {
      pact
        .given('the user has a captured payment', existing)
        .uponReceiving('a partial refund of a captured payment')
        .withRequest({
          method: 'POST',
          path: paymentPath('/refunds'),
          headers: { ...auth, 'idempotency-key': regex(IDEMPOTENCY_KEY, key), 'content-type': 'application/json' },
          body: { amount: '5.00' },
        })
        .willRespondWith(
          jsonAnswer(201, {
            refund: {
              id: id(examples.refundId),
              paymentId: id(examples.paymentId),
              amount: decimalAmount('5.00'),
              currency: currency('USD'),
              createdAt: isoTimestamp(examples.createdAt),
            },
            payment: paymentShape('partially_refunded', { amount: '19.99', captured: '19.99', refunded: '5.00' }),
          }),
        );

      await pact.executeTest(async (server) => {
        const { refund, payment: refunded } = await client(server.url).refund(examples.paymentId, '5.00', { idempotencyKey: key });
        expect(refund).toMatchObject({ paymentId: examples.paymentId, amount: '5.00' });
        expect(refunded).toMatchObject({ status: 'partially_refunded', refundedAmount: '5.00' });
      });
    });

    it('refuses to refund more than was captured (409 PAYMENT_REFUND_EXCEEDS_CAPTURED)', async () => {
      pact
        .given('the user has a captured payment', existing)
        .uponReceiving('a refund of more than was captured')
        .withRequest({
          method: 'POST',
          path: paymentPath('/refunds'),
          headers: { ...auth, 'content-type': 'application/json' },
          body: { amount: '50.00' },
        })
        .willRespondWith(
          problemAnswer(
            409,
            'PAYMENT_REFUND_EXCEEDS_CAPTURED',
            { title: 'Refund exceeds captured amount', detail: 'A refund of 50.00 USD exceeds the 19.99 USD still refundable.' },
            { refundable: decimalAmount('19.99') },
          ),
        );

      await pact.executeTest(async (server) => {
        const failure = await failureOf(client(server.url).refund(examples.paymentId, '50.00'));
        expect(failure).toMatchObject({ status: 409, code: 'PAYMENT_REFUND_EXCEEDS_CAPTURED' });
        expect(failure?.problem.refundable).toBe('19.99');
      });
    });
  });
});
