import { randomUUID } from 'node:crypto';
import { testDialects, type TestResponse } from '@strangler/kit/testing';
import {
  expectExactProblem,
  expectInvalidField,
  expectProblem,
  expectValidationErrors,
  paymentsClient,
  type Json,
} from './payments-client';
import type { RunningSide, Side } from './sides';
import { describeOpenApiCoverage, openApiChecked } from '../openapi/openapi-checked-side';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CURRENCIES = 'must be one of USD, EUR, GBP, CHF, CAD, AUD, SEK, JPY, KWD';
const AMOUNT_FORMAT = 'must be a decimal string like "19.99"';
const KEY_FORMAT = 'must be 1 to 255 printable ASCII characters';
const LIMIT_RULE = 'must be an integer from 1 to 100';
const CURSOR_RULE = 'must be a cursor from a previous page';

const paymentNotFound = {
  status: 404,
  code: 'PAYMENT_NOT_FOUND',
  title: 'Payment not found',
  detail: 'The payment does not exist or is not yours.',
};
const keyReused = {
  status: 422,
  code: 'IDEMPOTENCY_KEY_REUSED',
  title: 'Idempotency key reused',
  detail: 'This Idempotency-Key was already used for a different request.',
};
const invalidTransition = (from: string, to: string) => ({
  status: 409,
  code: 'PAYMENT_INVALID_TRANSITION',
  title: 'Invalid payment transition',
  detail: `A payment cannot go from ${from} to ${to}.`,
  from,
  to,
});

/** Every page of GET /api/payments from `limit`, following nextCursor. */
async function allPages(get: (path: string) => Promise<TestResponse>, limit: number): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const res: TestResponse = await get(`/api/payments?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    sizes.push(res.body.payments.length);
    ids.push(...res.body.payments.map((p: Json) => p.id as string));
    cursor = res.body.nextCursor;
    if (cursor !== null) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  } while (cursor !== null && sizes.length < 20);
  return { ids, sizes };
}

const newestFirst = (payments: Json[]) =>
  [...payments].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)).map((p) => p.id as string);

/**
 * The payments API as clients rely on it. Run against every side that serves it (the monolith and
 * the payments service): a difference between the two is a failing test. Statuses, bodies, error
 * documents, validation messages, headers and pagination are all part of what clients see.
 */
export function describePaymentsApi(unchecked: Side): void {
  // Every answer below is also checked against the side's own OpenAPI document.
  const checked = openApiChecked(unchecked, '/api/payments');
  const side = checked.side;
  describe.each(testDialects())(`payments API: ${side.name} on %s`, (dialect) => {
    let running: RunningSide;
    beforeAll(async () => {
      running = await side.start(dialect);
    });
    afterAll(async () => {
      await running?.stop();
    });

    const { api, authApi, newUser, create, post, get, authorized, captured, readPayment, paymentCount } = paymentsClient(() => running);

    describe('create', () => {
      it('authorizes a payment and reads it back', async () => {
        const token = await newUser();
        const res = await create(token, { amount: '19.99', currency: 'USD', description: 'Socks', orderId: 'ord-1' });
        expect(res.status).toBe(201);
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(res.headers.get('idempotent-replayed')).toBeNull();
        expect(res.body).toEqual({
          payment: {
            id: expect.stringMatching(UUID),
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
        expect(Object.keys(res.body.payment)).toEqual([
          'id', 'amount', 'currency', 'status', 'description', 'orderId', 'capturedAmount', 'refundedAmount', 'createdAt', 'updatedAt',
        ]);
        expect(res.body.payment.updatedAt).toBe(res.body.payment.createdAt);
        const read = await get(token, `/api/payments/${res.body.payment.id}`);
        expect(read.status).toBe(200);
        expect(read.text).toBe(res.text);
      });

      it('shows absent or null description and order id as null', async () => {
        const token = await newUser();
        expect(await authorized(token)).toMatchObject({ description: null, orderId: null });
        const res = await create(token, { amount: '1.00', currency: 'USD', description: null, orderId: null });
        expect(res.status).toBe(201);
        expect(res.body.payment).toMatchObject({ description: null, orderId: null });
      });

      it.each([
        ['USD', '19.9', '19.90', '0.00'],
        ['USD', '0007.5', '7.50', '0.00'],
        ['USD', '0.01', '0.01', '0.00'],
        ['JPY', '1000', '1000', '0'],
        ['KWD', '1.234', '1.234', '0.000'],
        ['KWD', '5', '5.000', '0.000'],
        ['EUR', '999999999999.99', '999999999999.99', '0.00'],
        ['KWD', '999999999999.999', '999999999999.999', '0.000'],
      ])('keeps %s %s exact as %s', async (currency, amount, shown, zero) => {
        const token = await newUser();
        const payment = await authorized(token, amount, currency);
        expect(payment).toMatchObject({ amount: shown, currency, capturedAmount: zero, refundedAmount: zero });
        expect((await readPayment(token, payment.id)).amount).toBe(shown);
      });

      it.each([
        ['no token', undefined],
        ['a malformed header', 'Token abc'],
        ['an unknown token', `Bearer ${'A'.repeat(43)}`],
      ])('requires authentication (%s), before anything else', async (_case, authorization) => {
        // No key and an invalid body too: authentication is checked first.
        const res = await api().post('/api/payments', { amount: 'x' }, { headers: authorization ? { authorization } : {} });
        expectExactProblem(res, { status: 401, code: 'AUTH_UNAUTHENTICATED', title: 'Unauthenticated', detail: 'A valid bearer token is required.' });
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      });

      it('requires an Idempotency-Key, before validating the body, and writes nothing without one', async () => {
        const token = await newUser();
        const required = {
          status: 400,
          code: 'IDEMPOTENCY_KEY_REQUIRED',
          title: 'Idempotency key required',
          detail: 'This request needs an Idempotency-Key header.',
        };
        expectExactProblem(await create(token, { amount: '1.00', currency: 'USD' }, null), required);
        expectExactProblem(await create(token, { amount: 'x' }, null), required);
        expect(await paymentCount(token)).toBe(0);
      });

      it.each([
        ['too long', 'k'.repeat(256)],
        ['empty', ''],
      ])('rejects an Idempotency-Key that is %s, before validating the body', async (_case, key) => {
        const token = await newUser();
        expectValidationErrors(await create(token, { amount: '1.00', currency: 'USD' }, key), [{ field: 'Idempotency-Key', message: KEY_FORMAT }]);
        expectValidationErrors(await create(token, { amount: 'x' }, key), [{ field: 'Idempotency-Key', message: KEY_FORMAT }]);
        expect(await paymentCount(token)).toBe(0);
      });

      it('accepts a 255-character Idempotency-Key of any printable ASCII', async () => {
        const token = await newUser();
        const key = `${'k'.repeat(250)} !~"\\`;
        expect((await create(token, { amount: '1.00', currency: 'USD' }, key)).status).toBe(201);
        expect((await create(token, { amount: '1.00', currency: 'USD' }, key)).headers.get('idempotent-replayed')).toBe('true');
      });

      it.each([
        ['a number amount', { amount: 19.99, currency: 'USD' }, [['amount', AMOUNT_FORMAT]]],
        ['a missing amount', { currency: 'USD' }, [['amount', 'is required']]],
        ['a null amount', { amount: null, currency: 'USD' }, [['amount', AMOUNT_FORMAT]]],
        ['a zero amount', { amount: '0.00', currency: 'USD' }, [['amount', 'must be greater than zero']]],
        ['a negative amount', { amount: '-1.00', currency: 'USD' }, [['amount', AMOUNT_FORMAT]]],
        ['an exponent', { amount: '1e3', currency: 'USD' }, [['amount', AMOUNT_FORMAT]]],
        ['thousands separators', { amount: '1,000.00', currency: 'USD' }, [['amount', AMOUNT_FORMAT]]],
        ['a trailing dot', { amount: '1.', currency: 'USD' }, [['amount', AMOUNT_FORMAT]]],
        ['spaces', { amount: ' 1.00', currency: 'USD' }, [['amount', AMOUNT_FORMAT]]],
        ['too many decimals for USD', { amount: '1.234', currency: 'USD' }, [['amount', 'USD allows at most 2 decimal places']]],
        ['decimals for JPY', { amount: '10.5', currency: 'JPY' }, [['amount', 'JPY has no minor units']]],
        ['too many decimals for KWD', { amount: '1.2345', currency: 'KWD' }, [['amount', 'KWD allows at most 3 decimal places']]],
        ['a too large amount', { amount: '1000000000000.00', currency: 'USD' }, [['amount', 'is too large']]],
        ['an unknown currency', { amount: '1.00', currency: 'XYZ' }, [['currency', CURRENCIES]]],
        ['a lowercase currency', { amount: '1.00', currency: 'usd' }, [['currency', CURRENCIES]]],
        ['a number currency', { amount: '1.00', currency: 840 }, [['currency', 'must be a string']]],
        ['a missing currency', { amount: '1.00' }, [['currency', 'is required']]],
        ['a long description', { amount: '1.00', currency: 'USD', description: 'd'.repeat(501) }, [['description', 'must be at most 500 characters']]],
        ['a non-string description', { amount: '1.00', currency: 'USD', description: 5 }, [['description', 'must be a string']]],
        ['a long order id', { amount: '1.00', currency: 'USD', orderId: 'o'.repeat(65) }, [['orderId', 'must be at most 64 characters']]],
        ['an empty order id', { amount: '1.00', currency: 'USD', orderId: '' }, [['orderId', 'must not be empty']]],
        ['an empty object', {}, [['amount', 'is required'], ['currency', 'is required']]],
        ['several bad fields', { amount: 1, currency: 'usd', description: 5 }, [['amount', AMOUNT_FORMAT], ['currency', CURRENCIES], ['description', 'must be a string']]],
        ['an array body', [{ amount: '1.00', currency: 'USD' }], [['body', 'Invalid input: expected object, received array']]],
      ])('rejects %s, naming the fields and writing nothing', async (_case, body, errors) => {
        const token = await newUser();
        expectValidationErrors(await create(token, body), errors.map(([field, message]) => ({ field: field!, message: message! })));
        expect(await paymentCount(token)).toBe(0);
      });

      it('accepts a 500-character description and a 64-character order id, and ignores unknown fields', async () => {
        const token = await newUser();
        const res = await create(token, { amount: '1.00', currency: 'USD', description: 'd'.repeat(500), orderId: 'o'.repeat(64), tip: '5.00' });
        expect(res.status).toBe(201);
        expect(res.body.payment.description).toHaveLength(500);
        expect(res.body.payment.orderId).toHaveLength(64);
        expect(res.body.payment).not.toHaveProperty('tip');
      });

      it('refuses bodies that are not JSON, as every route does', async () => {
        const token = await newUser();
        const headers = (contentType: string) => ({ 'idempotency-key': randomUUID(), 'content-type': contentType });
        const malformed = await api().request('POST', '/api/payments', undefined, { token, headers: headers('application/json'), raw: '{"amount":' });
        expectExactProblem(malformed, { status: 400, code: 'MALFORMED_JSON', title: 'Malformed JSON', detail: 'The request body is not valid JSON.' });
        const text = await api().request('POST', '/api/payments', undefined, { token, headers: headers('text/plain'), raw: 'amount=1' });
        expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
        expect(text.body.detail).toBe('Request bodies must be application/json, not text/plain.');
        const large = await create(token, { amount: '1.00', currency: 'USD', description: 'd'.repeat(101 * 1024) });
        expectExactProblem(large, { status: 413, code: 'PAYLOAD_TOO_LARGE', title: 'Payload too large', detail: 'The request body exceeds 100kb.' });
        expect(await paymentCount(token)).toBe(0);
      });
    });

    describe('idempotency', () => {
      it('replays the first response, byte for byte, for the same key and request', async () => {
        const token = await newUser();
        const key = randomUUID();
        const first = await create(token, { amount: '5.00', currency: 'EUR', description: 'Book' }, key);
        expect(first.status).toBe(201);
        // Same body with its keys in another order is the same request.
        const again = await create(token, { description: 'Book', currency: 'EUR', amount: '5.00' }, key);
        expect(again.status).toBe(201);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
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
        expectExactProblem(await create(token, { amount: '5.01', currency: 'EUR' }, key), keyReused);
        expectExactProblem(await create(token, { amount: '5.00', currency: 'EUR', description: 'x' }, key), keyReused);
        // The request is what was sent, not what it means: "5.0" is another request than "5.00".
        expectExactProblem(await create(token, { amount: '5.0', currency: 'EUR' }, key), keyReused);
        expect(await paymentCount(token)).toBe(1);
      });

      it('validates the body before looking the key up', async () => {
        const token = await newUser();
        const key = randomUUID();
        expect((await create(token, { amount: '5.00', currency: 'EUR' }, key)).status).toBe(201);
        expectValidationErrors(await create(token, { amount: '5.00' }, key), [{ field: 'currency', message: 'is required' }]);
      });

      it('keys a request, not a route: a create key reused for a capture is a different request', async () => {
        const token = await newUser();
        const key = randomUUID();
        const payment = (await create(token, { amount: '5.00', currency: 'EUR' }, key)).body.payment;
        expectExactProblem(await post(token, `/api/payments/${payment.id}/capture`, undefined, { 'idempotency-key': key }), keyReused);
        expect((await readPayment(token, payment.id)).status).toBe('authorized');
      });

      it('scopes keys per user', async () => {
        const [alice, bob] = await Promise.all([newUser(), newUser()]);
        const key = randomUUID();
        const a = await create(alice, { amount: '1.00', currency: 'USD' }, key);
        const b = await create(bob, { amount: '1.00', currency: 'USD' }, key);
        expect([a.status, b.status]).toEqual([201, 201]);
        expect(b.headers.get('idempotent-replayed')).toBeNull();
        expect(b.body.payment.id).not.toBe(a.body.payment.id);
        expect(await paymentCount(alice)).toBe(1);
        expect(await paymentCount(bob)).toBe(1);
      });

      it('treats keys as case-sensitive on every database', async () => {
        const token = await newUser();
        const lower = await create(token, { amount: '1.00', currency: 'USD' }, 'checkout-abc');
        const upper = await create(token, { amount: '2.00', currency: 'USD' }, 'CHECKOUT-ABC');
        expect([lower.status, upper.status]).toEqual([201, 201]);
        expect(upper.headers.get('idempotent-replayed')).toBeNull();
        expect(upper.body.payment.id).not.toBe(lower.body.payment.id);
      });

      it('does not record failures: a key whose request failed can be used again', async () => {
        const token = await newUser();
        const key = randomUUID();
        expectInvalidField(await create(token, { amount: '1.001', currency: 'USD' }, key), 'amount');
        const res = await create(token, { amount: '1.00', currency: 'USD' }, key);
        expect(res.status).toBe(201);
        expect(res.headers.get('idempotent-replayed')).toBeNull();

        const voided = await authorized(token);
        expect((await post(token, `/api/payments/${voided.id}/void`)).status).toBe(200);
        const captureKey = { 'idempotency-key': randomUUID() };
        expectProblem(await post(token, `/api/payments/${voided.id}/capture`, undefined, captureKey), 409, 'PAYMENT_INVALID_TRANSITION');
        const other = await authorized(token);
        // Not recorded against the voided payment, so free for this (different) request.
        expect((await post(token, `/api/payments/${other.id}/capture`, undefined, captureKey)).status).toBe(200);
      });

      it('makes capture, refund and void safely retryable with an optional key', async () => {
        const token = await newUser();
        const payment = await authorized(token, '3.00');
        const captureKey = { 'idempotency-key': randomUUID() };
        const capture = await post(token, `/api/payments/${payment.id}/capture`, undefined, captureKey);
        expect(capture.headers.get('idempotent-replayed')).toBeNull();
        const captureAgain = await post(token, `/api/payments/${payment.id}/capture`, undefined, captureKey);
        expect([capture.status, captureAgain.status]).toEqual([200, 200]);
        expect(captureAgain.headers.get('idempotent-replayed')).toBe('true');
        expect(captureAgain.text).toBe(capture.text);

        const refundKey = { 'idempotency-key': randomUUID() };
        const refund = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.00' }, refundKey);
        const refundAgain = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.00' }, refundKey);
        expect([refund.status, refundAgain.status]).toEqual([201, 201]);
        expect(refundAgain.headers.get('idempotent-replayed')).toBe('true');
        expect(refundAgain.text).toBe(refund.text);
        expect((await readPayment(token, payment.id)).refundedAmount).toBe('1.00');
        expectExactProblem(await post(token, `/api/payments/${payment.id}/refunds`, { amount: '2.00' }, refundKey), keyReused);

        const other = await authorized(token);
        const voidKey = { 'idempotency-key': randomUUID() };
        // No body and an empty JSON object are the same request.
        const voided = await post(token, `/api/payments/${other.id}/void`, {}, voidKey);
        const voidedAgain = await post(token, `/api/payments/${other.id}/void`, undefined, voidKey);
        expect([voided.status, voidedAgain.status]).toEqual([200, 200]);
        expect(voidedAgain.text).toBe(voided.text);
        // The key names a request on one payment: reused on another, it is a different request.
        expectExactProblem(await post(token, `/api/payments/${payment.id}/void`, undefined, voidKey), keyReused);
      });

      it('without a key, a repeated capture is simply refused by the state machine', async () => {
        const token = await newUser();
        const payment = await authorized(token);
        expect((await post(token, `/api/payments/${payment.id}/capture`)).status).toBe(200);
        expectExactProblem(await post(token, `/api/payments/${payment.id}/capture`), invalidTransition('captured', 'captured'));
      });
    });

    describe('read', () => {
      it('hides other users’ payments as 404', async () => {
        const [alice, bob] = await Promise.all([newUser(), newUser()]);
        const payment = await authorized(alice);
        expectExactProblem(await get(bob, `/api/payments/${payment.id}`), paymentNotFound);
        expectExactProblem(await post(bob, `/api/payments/${payment.id}/capture`), paymentNotFound);
        expectExactProblem(await post(bob, `/api/payments/${payment.id}/void`), paymentNotFound);
        expectExactProblem(await post(bob, `/api/payments/${payment.id}/refunds`, { amount: '1.00' }), paymentNotFound);
        expect((await readPayment(alice, payment.id)).status).toBe('authorized');
      });

      it.each([randomUUID(), 'not-an-id', randomUUID().toUpperCase(), 'x'.repeat(300)])('answers 404 for unknown id %s', async (id) => {
        const token = await newUser();
        expectExactProblem(await get(token, `/api/payments/${id}`), paymentNotFound);
        expectExactProblem(await post(token, `/api/payments/${id}/capture`), paymentNotFound);
        expectExactProblem(await post(token, `/api/payments/${id}/void`), paymentNotFound);
        expectExactProblem(await post(token, `/api/payments/${id}/refunds`, { amount: '1.00' }), paymentNotFound);
      });

      it('finds a payment only by its exact id', async () => {
        const token = await newUser();
        const payment = await authorized(token);
        expectExactProblem(await get(token, `/api/payments/${payment.id.toUpperCase()}`), paymentNotFound);
      });

      it('checks a refund body before looking the payment up, but an impossible id first', async () => {
        const token = await newUser();
        expectValidationErrors(await post(token, `/api/payments/${randomUUID()}/refunds`, {}), [{ field: 'amount', message: 'is required' }]);
        expectExactProblem(await post(token, '/api/payments/not-an-id/refunds', {}), paymentNotFound);
      });

      it('requires authentication', async () => {
        const token = await newUser();
        const payment = await authorized(token);
        for (const [method, path] of [
          ['GET', `/api/payments/${payment.id}`],
          ['POST', `/api/payments/${payment.id}/capture`],
          ['POST', `/api/payments/${payment.id}/void`],
          ['POST', `/api/payments/${payment.id}/refunds`],
        ] as const) {
          const res = await api().request(method, path);
          expectProblem(res, 401, 'AUTH_UNAUTHENTICATED');
          expect(res.headers.get('www-authenticate')).toBe('Bearer');
        }
        expect((await readPayment(token, payment.id)).status).toBe('authorized');
      });

      it('stops accepting a token once its user logs out', async () => {
        const token = await newUser();
        const payment = await authorized(token);
        expect((await authApi().post('/api/auth/logout', undefined, { token })).status).toBe(204);
        const res = await get(token, `/api/payments/${payment.id}`);
        expectProblem(res, 401, 'AUTH_UNAUTHENTICATED');
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      });

      it('answers routes it does not have with 404 ROUTE_NOT_FOUND', async () => {
        const token = await newUser();
        const payment = await authorized(token);
        const res = await api().request('DELETE', `/api/payments/${payment.id}`, undefined, { token });
        expectExactProblem(res, { status: 404, code: 'ROUTE_NOT_FOUND', title: 'Not found', detail: `No route for DELETE /api/payments/${payment.id}.` });
        expectProblem(await get(token, `/api/payments/${payment.id}/refunds`), 404, 'ROUTE_NOT_FOUND');
      });
    });

    describe('list', () => {
      it('pages through the caller’s payments newest first without overlap', async () => {
        const [token, stranger] = await Promise.all([newUser(), newUser()]);
        await authorized(stranger);
        const created: Json[] = [];
        for (let i = 0; i < 5; i += 1) created.push(await authorized(token, `${i + 1}.00`));
        const { ids, sizes } = await allPages((path) => get(token, path), 2);
        expect(sizes).toEqual([2, 2, 1]);
        expect(ids).toEqual(newestFirst(created));
      });

      it('ends with a null nextCursor when the last page is exactly full', async () => {
        const token = await newUser();
        const created: Json[] = [];
        for (let i = 0; i < 4; i += 1) created.push(await authorized(token));
        const { ids, sizes } = await allPages((path) => get(token, path), 2);
        expect(sizes).toEqual([2, 2]);
        expect(ids).toEqual(newestFirst(created));
      });

      it('defaults to 20 and shows full payment objects', async () => {
        const token = await newUser();
        const payment = await authorized(token, '2.50', 'GBP');
        const res = await get(token, '/api/payments');
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(res.body).toEqual({ payments: [payment], nextCursor: null });

        for (let i = 0; i < 20; i += 1) await authorized(token);
        const page = await get(token, '/api/payments');
        expect(page.body.payments).toHaveLength(20);
        expect(page.body.nextCursor).toEqual(expect.any(String));
        const rest = await get(token, `/api/payments?cursor=${page.body.nextCursor}`);
        expect(rest.body).toEqual({ payments: [payment], nextCursor: null });
      });

      it('shows each payment in its current state', async () => {
        const token = await newUser();
        const payment = await captured(token, '3.00');
        await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.00' });
        const listed = (await get(token, '/api/payments')).body.payments[0];
        expect(listed).toEqual(await readPayment(token, payment.id));
        expect(listed).toMatchObject({ status: 'partially_refunded', refundedAmount: '1.00' });
      });

      it('returns an empty page for a new user', async () => {
        const token = await newUser();
        expect((await get(token, '/api/payments')).body).toEqual({ payments: [], nextCursor: null });
      });

      it('treats a cursor as a position only: another user’s cursor shows nothing of theirs', async () => {
        const [alice, bob] = await Promise.all([newUser(), newUser()]);
        await authorized(alice);
        await authorized(alice);
        const mine = await authorized(bob);
        const alicePage = await get(alice, '/api/payments?limit=1');
        expect(alicePage.body.nextCursor).toEqual(expect.any(String));
        const bobPage = await get(bob, `/api/payments?cursor=${alicePage.body.nextCursor}`);
        expect(bobPage.status).toBe(200);
        expect(bobPage.body.payments.map((p: Json) => p.id)).not.toContain(alicePage.body.payments[0].id);
        expect(bobPage.body.payments.every((p: Json) => p.id === mine.id)).toBe(true);
      });

      it.each([
        ['limit=0', 'limit', LIMIT_RULE],
        ['limit=101', 'limit', LIMIT_RULE],
        ['limit=abc', 'limit', LIMIT_RULE],
        ['limit=', 'limit', LIMIT_RULE],
        ['limit=1.5', 'limit', LIMIT_RULE],
        ['limit=-1', 'limit', LIMIT_RULE],
        ['limit=0010', 'limit', LIMIT_RULE],
        ['limit=1&limit=2', 'limit', LIMIT_RULE],
        ['cursor=not-a-cursor!', 'cursor', CURSOR_RULE],
        [`cursor=${Buffer.from('{"a":1}').toString('base64url')}`, 'cursor', CURSOR_RULE],
        [`cursor=${Buffer.from('[1, "x; drop table"]').toString('base64url')}`, 'cursor', CURSOR_RULE],
        [`cursor=${Buffer.from('[-1, "a"]').toString('base64url')}`, 'cursor', CURSOR_RULE],
        ['cursor=', 'cursor', CURSOR_RULE],
        ['cursor=a&cursor=b', 'cursor', CURSOR_RULE],
      ])('rejects %s naming %s', async (query, field, message) => {
        const token = await newUser();
        expectValidationErrors(await get(token, `/api/payments?${query}`), [{ field, message }]);
      });

      it('names every bad parameter at once and ignores unknown ones', async () => {
        const token = await newUser();
        expectValidationErrors(await get(token, '/api/payments?limit=0&cursor=x!'), [
          { field: 'limit', message: LIMIT_RULE },
          { field: 'cursor', message: CURSOR_RULE },
        ]);
        expect((await get(token, '/api/payments?status=captured&limit=100')).status).toBe(200);
      });

      it('requires authentication', async () => {
        const res = await api().get('/api/payments');
        expectProblem(res, 401, 'AUTH_UNAUTHENTICATED');
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      });
    });

    describe('capture and void', () => {
      it('captures the full amount once', async () => {
        const token = await newUser();
        const payment = await authorized(token, '12.34');
        const res = await post(token, `/api/payments/${payment.id}/capture`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(res.headers.get('idempotent-replayed')).toBeNull();
        expect(res.body).toEqual({
          payment: { ...payment, status: 'captured', capturedAmount: '12.34', updatedAt: expect.stringMatching(ISO_MS) },
        });
        expect(await readPayment(token, payment.id)).toEqual(res.body.payment);

        expectExactProblem(await post(token, `/api/payments/${payment.id}/capture`), invalidTransition('captured', 'captured'));
        expectExactProblem(await post(token, `/api/payments/${payment.id}/void`), invalidTransition('captured', 'voided'));
      });

      it('ignores a body on capture and void', async () => {
        const token = await newUser();
        const payment = await authorized(token, '1.00');
        const res = await post(token, `/api/payments/${payment.id}/capture`, { amount: '0.50' });
        expect(res.status).toBe(200);
        expect(res.body.payment.capturedAmount).toBe('1.00');
      });

      it('voids an authorization, after which nothing else is possible', async () => {
        const token = await newUser();
        const payment = await authorized(token);
        const res = await post(token, `/api/payments/${payment.id}/void`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ payment: { ...payment, status: 'voided', updatedAt: expect.stringMatching(ISO_MS) } });

        expectExactProblem(await post(token, `/api/payments/${payment.id}/capture`), invalidTransition('voided', 'captured'));
        expectExactProblem(await post(token, `/api/payments/${payment.id}/void`), invalidTransition('voided', 'voided'));
        expectExactProblem(await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.00' }), invalidTransition('voided', 'refunded'));
        expect((await readPayment(token, payment.id)).status).toBe('voided');
      });
    });

    describe('refunds', () => {
      it('refunds exactly: 0.10 + 0.20 of 0.30', async () => {
        const token = await newUser();
        const payment = await captured(token, '0.30');
        const first = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.10' });
        expect(first.status).toBe(201);
        expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(first.body).toEqual({
          refund: {
            id: expect.stringMatching(UUID),
            paymentId: payment.id,
            amount: '0.10',
            currency: 'USD',
            createdAt: expect.stringMatching(ISO_MS),
          },
          payment: { ...payment, status: 'partially_refunded', refundedAmount: '0.10', updatedAt: first.body.refund.createdAt },
        });
        expect(Object.keys(first.body)).toEqual(['refund', 'payment']);
        const second = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.20' });
        expect(second.status).toBe(201);
        expect(second.body.payment).toMatchObject({ status: 'refunded', capturedAmount: '0.30', refundedAmount: '0.30' });
        expect(second.body.refund.id).not.toBe(first.body.refund.id);

        expectExactProblem(await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.01' }), invalidTransition('refunded', 'refunded'));
      });

      it('refuses a refund beyond what is left to refund', async () => {
        const token = await newUser();
        const payment = await captured(token, '1.00');
        expect((await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.60' })).status).toBe(201);
        expectExactProblem(await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.41' }), {
          status: 409,
          code: 'PAYMENT_REFUND_EXCEEDS_CAPTURED',
          title: 'Refund exceeds captured amount',
          detail: 'A refund of 0.41 USD exceeds the 0.40 USD still refundable.',
          refundable: '0.40',
        });
        const rest = await post(token, `/api/payments/${payment.id}/refunds`, { amount: '0.40' });
        expect(rest.body.payment).toMatchObject({ status: 'refunded', refundedAmount: '1.00' });
      });

      it('refuses a single refund larger than the capture', async () => {
        const token = await newUser();
        const payment = await captured(token, '1.00');
        expectExactProblem(await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.01' }), {
          status: 409,
          code: 'PAYMENT_REFUND_EXCEEDS_CAPTURED',
          title: 'Refund exceeds captured amount',
          detail: 'A refund of 1.01 USD exceeds the 1.00 USD still refundable.',
          refundable: '1.00',
        });
        expect(await readPayment(token, payment.id)).toMatchObject({ status: 'captured', refundedAmount: '0.00' });
      });

      it('keeps JPY and KWD refunds exact', async () => {
        const token = await newUser();
        const yen = await captured(token, '1000', 'JPY');
        const yenRefund = await post(token, `/api/payments/${yen.id}/refunds`, { amount: '1' });
        expect(yenRefund.body).toMatchObject({ refund: { amount: '1', currency: 'JPY' }, payment: { refundedAmount: '1', capturedAmount: '1000' } });
        expectValidationErrors(await post(token, `/api/payments/${yen.id}/refunds`, { amount: '0.5' }), [{ field: 'amount', message: 'JPY has no minor units' }]);

        const dinar = await captured(token, '1.234', 'KWD');
        const dinarRefund = await post(token, `/api/payments/${dinar.id}/refunds`, { amount: '0.001' });
        expect(dinarRefund.body.payment).toMatchObject({ refundedAmount: '0.001', status: 'partially_refunded' });
        const dinarRest = await post(token, `/api/payments/${dinar.id}/refunds`, { amount: '1.233' });
        expect(dinarRest.body.payment).toMatchObject({ refundedAmount: '1.234', status: 'refunded' });
      });

      it('refuses to refund an uncaptured payment', async () => {
        const token = await newUser();
        const payment = await authorized(token);
        expectExactProblem(await post(token, `/api/payments/${payment.id}/refunds`, { amount: '1.00' }), invalidTransition('authorized', 'refunded'));
      });

      it.each([
        ['a number', { amount: 1 }, AMOUNT_FORMAT],
        ['zero', { amount: '0' }, 'must be greater than zero'],
        ['too many decimals', { amount: '0.001' }, 'USD allows at most 2 decimal places'],
        ['too large', { amount: '1000000000000' }, 'is too large'],
        ['nothing', {}, 'is required'],
      ])('rejects %s as the amount and changes nothing', async (_case, body, message) => {
        const token = await newUser();
        const payment = await captured(token, '1.00');
        expectValidationErrors(await post(token, `/api/payments/${payment.id}/refunds`, body), [{ field: 'amount', message }]);
        expect(await readPayment(token, payment.id)).toMatchObject({ status: 'captured', refundedAmount: '0.00' });
      });
    });

    /**
     * Races that matter on MariaDB, where requests really run in parallel on several connections and
     * only row locks keep them apart. On SQLite one connection serialises everything, so the same
     * tests run there as a check of the outcome rather than of the locking.
     */
    describe('under concurrency', () => {
      it('never lets concurrent refunds together exceed the captured amount', async () => {
        const token = await newUser();
        const payment = await captured(token, '10.00');
        const results = await Promise.all(
          Array.from({ length: 10 }, () => post(token, `/api/payments/${payment.id}/refunds`, { amount: '3.00' })),
        );
        const succeeded = results.filter((res) => res.status === 201);
        expect(succeeded).toHaveLength(3);
        expect(new Set(succeeded.map((res) => res.body.refund.id)).size).toBe(3);
        expect(succeeded.map((res) => res.body.payment.refundedAmount).sort()).toEqual(['3.00', '6.00', '9.00']);
        expect(results.filter((res) => res.status !== 201).map((res) => [res.status, res.body.code])).toEqual(
          Array.from({ length: 7 }, () => [409, 'PAYMENT_REFUND_EXCEEDS_CAPTURED']),
        );
        expect(await readPayment(token, payment.id)).toMatchObject({ status: 'partially_refunded', capturedAmount: '10.00', refundedAmount: '9.00' });
      });

      it('lets exactly one of concurrent captures win', async () => {
        const token = await newUser();
        const payment = await authorized(token, '7.77');
        const results = await Promise.all(Array.from({ length: 5 }, () => post(token, `/api/payments/${payment.id}/capture`)));
        expect(results.filter((res) => res.status === 200)).toHaveLength(1);
        expect(results.filter((res) => res.status === 409 && res.body.code === 'PAYMENT_INVALID_TRANSITION')).toHaveLength(4);
        expect(await readPayment(token, payment.id)).toMatchObject({ status: 'captured', capturedAmount: '7.77' });
      });

      it('lets exactly one of a concurrent capture and void win', async () => {
        const token = await newUser();
        const payment = await authorized(token, '7.77');
        const [capture, voided] = await Promise.all([
          post(token, `/api/payments/${payment.id}/capture`),
          post(token, `/api/payments/${payment.id}/void`),
        ]);
        expect([capture.status, voided.status].sort()).toEqual([200, 409]);
        expect((await readPayment(token, payment.id)).status).toBe(capture.status === 200 ? 'captured' : 'voided');
      });

      // The loser of a same-key race waits on the winner's key row, then replays its response: no
      // "in progress" error reaches the client (IDEMPOTENCY_IN_PROGRESS exists only as a safeguard).
      it('creates one payment for concurrent requests with the same Idempotency-Key', async () => {
        const token = await newUser();
        const key = randomUUID();
        const results = await Promise.all(
          Array.from({ length: 5 }, () => create(token, { amount: '4.20', currency: 'USD' }, key)),
        );
        expect(results.map((res) => res.status)).toEqual([201, 201, 201, 201, 201]);
        expect(new Set(results.map((res) => res.text)).size).toBe(1);
        expect(results.filter((res) => res.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
        const list = await get(token, '/api/payments');
        expect(list.body.payments.map((p: Json) => p.id)).toEqual([results[0]?.body.payment.id]);
      });

      it('answers 422 to the racers whose body differs from the winner’s, creating one payment', async () => {
        const token = await newUser();
        const key = randomUUID();
        const bodies = ['1.00', '2.00', '1.00', '2.00', '1.00', '2.00'].map((amount) => ({ amount, currency: 'USD' }));
        const results = await Promise.all(bodies.map((body) => create(token, body, key)));
        const created = results.filter((res) => res.status === 201);
        const refused = results.filter((res) => res.status !== 201);
        expect(created).toHaveLength(3);
        expect(new Set(created.map((res) => res.text)).size).toBe(1);
        expect(refused.map((res) => [res.status, res.body.code])).toEqual(Array.from({ length: 3 }, () => [422, 'IDEMPOTENCY_KEY_REUSED']));
        expect(await paymentCount(token)).toBe(1);
      });

      it('creates distinct payments for concurrent requests with distinct keys', async () => {
        const token = await newUser();
        const results = await Promise.all(Array.from({ length: 8 }, () => create(token, { amount: '1.00', currency: 'USD' })));
        expect(results.map((res) => res.status)).toEqual(Array.from({ length: 8 }, () => 201));
        expect(new Set(results.map((res) => res.body.payment.id)).size).toBe(8);
        expect(await paymentCount(token)).toBe(8);
      });

      it('captures once for concurrent captures with the same Idempotency-Key, replaying to the rest', async () => {
        const token = await newUser();
        const payment = await authorized(token, '1.00');
        const key = randomUUID();
        const results = await Promise.all(
          Array.from({ length: 5 }, () => post(token, `/api/payments/${payment.id}/capture`, undefined, { 'idempotency-key': key })),
        );
        expect(results.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
        expect(new Set(results.map((res) => res.text)).size).toBe(1);
        expect(results.filter((res) => res.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
      });

      it('refunds once for concurrent refunds with the same Idempotency-Key', async () => {
        const token = await newUser();
        const payment = await captured(token, '5.00');
        const key = randomUUID();
        const results = await Promise.all(
          Array.from({ length: 5 }, () => post(token, `/api/payments/${payment.id}/refunds`, { amount: '2.00' }, { 'idempotency-key': key })),
        );
        expect(results.map((res) => res.status)).toEqual([201, 201, 201, 201, 201]);
        expect(new Set(results.map((res) => res.text)).size).toBe(1);
        expect((await readPayment(token, payment.id)).refundedAmount).toBe('2.00');
      });
    });
  });

  describe.each(testDialects())(`payments API: ${side.name} on %s, on a controlled clock`, (dialect) => {
    let running: RunningSide;
    const instant = new Date('2030-06-01T12:00:00.000Z');
    let now = instant;
    beforeAll(async () => {
      running = await side.start(dialect, { clock: { now: () => now }, sessionTtlMs: 60_000 });
    });
    beforeEach(() => {
      now = instant;
    });
    afterAll(async () => {
      await running?.stop();
    });
    const { api, newUser, get, authorized } = paymentsClient(() => running);

    it('pages by id within one timestamp, without skipping or repeating any', async () => {
      const token = await newUser();
      const created: Json[] = [];
      for (let i = 0; i < 7; i += 1) created.push(await authorized(token));
      expect(new Set(created.map((p) => p.createdAt))).toEqual(new Set([instant.toISOString()]));
      const { ids, sizes } = await allPages((path) => get(token, path), 3);
      expect(sizes).toEqual([3, 3, 1]);
      expect(ids).toEqual(created.map((p) => p.id as string).sort().reverse());
    });

    it('stops accepting a token once its session expires', async () => {
      const token = await newUser();
      const payment = await authorized(token);
      now = new Date(instant.getTime() + 59_999);
      expect((await get(token, `/api/payments/${payment.id}`)).status).toBe(200);
      now = new Date(instant.getTime() + 60_000);
      const res = await get(token, `/api/payments/${payment.id}`);
      expectProblem(res, 401, 'AUTH_UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expectProblem(await api().post('/api/payments', { amount: '1.00', currency: 'USD' }, { token, headers: { 'idempotency-key': randomUUID() } }), 401, 'AUTH_UNAUTHENTICATED');
    });
  });

  describeOpenApiCoverage(checked);
}
