import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { RequestHandler } from 'express';
import { createHttpApp, createLogger, systemClock, toBigInt, toBigIntColumn } from '@strangler/kit';
import { startOnTestDatabase, type RunningTestApp } from '@strangler/kit/testing';
import { migrateLatest, paymentsMigrations } from '@strangler/migrations';
import {
  createPaymentUseCases,
  knexPaymentsStorage,
  PAYMENT_STATUSES,
  paymentRoutes,
  SqlIdempotencyRepository,
  SqlPaymentRepository,
  type PaymentEncoding,
  type SharedPaymentColumns,
} from '../src';

/** The API module's router and use cases over its SQL repositories, on the payments service's schema
 * (minor units, statuses as the API spells them) in a real SQLite database. */
interface Row extends SharedPaymentColumns {
  amount_minor: unknown;
  status: string;
  captured_minor: unknown;
  refunded_minor: unknown;
}
const encoding: PaymentEncoding<Row> = {
  decode: (row) => ({
    amount: toBigInt(row.amount_minor),
    status: PAYMENT_STATUSES.find((status) => status === row.status)!,
    capturedAmount: toBigInt(row.captured_minor),
    refundedAmount: toBigInt(row.refunded_minor),
  }),
  encodeAmount: (amount) => ({ amount_minor: toBigIntColumn(amount) }),
  encodeState: (payment) => ({ status: payment.status, captured_minor: toBigIntColumn(payment.capturedAmount), refunded_minor: toBigIntColumn(payment.refundedAmount) }),
};

/** The caller is whoever `x-test-user` names; no header, no user (as a side's authenticate leaves it). */
const authenticate: RequestHandler = (req, res, next) => {
  const user = req.get('x-test-user');
  if (user) res.locals.user = { id: user };
  next();
};

let app: RunningTestApp;
beforeAll(async () => {
  app = await startOnTestDatabase(
    'sqlite',
    (db) => migrateLatest(db.knex, paymentsMigrations),
    (db) => {
      const storage = knexPaymentsStorage(db.knex, {
        payments: (knex: Knex) => new SqlPaymentRepository(knex, encoding),
        idempotency: (knex: Knex) => new SqlIdempotencyRepository(knex, { keyDigest: 'key_hash', requestFingerprint: 'request_fingerprint' }),
      });
      const logger = createLogger({ name: 'payments-api-test', level: 'silent' });
      return createHttpApp({ service: 'payments-api-test', logger, readiness: [], routes: [paymentRoutes(createPaymentUseCases({ storage, clock: systemClock }), authenticate)] }).app;
    },
  );
});
afterAll(() => app.stop());

const as = (user: string, key?: string) => ({ headers: { 'x-test-user': user, ...(key ? { 'idempotency-key': key } : {}) } });

describe('payments API module', () => {
  it('creates, captures, refunds and lists a payment, in the database', async () => {
    const user = randomUUID();
    const created = await app.api.post('/api/payments', { amount: '19.99', currency: 'USD' }, as(user, randomUUID()));
    expect(created.status).toBe(201);
    expect(created.body.payment).toMatchObject({ amount: '19.99', currency: 'USD', status: 'authorized' });
    const id = created.body.payment.id as string;
    expect((await app.api.post(`/api/payments/${id}/capture`, {}, as(user))).body.payment.status).toBe('captured');
    const refunded = await app.api.post(`/api/payments/${id}/refunds`, { amount: '5.00' }, as(user));
    expect(refunded.body.payment).toMatchObject({ status: 'partially_refunded', refundedAmount: '5.00' });
    const row = await app.db.knex('payments').where({ id }).first();
    expect(row).toMatchObject({ status: 'partially_refunded' });
    expect(String(row.refunded_minor)).toBe('500');
    expect((await app.api.get('/api/payments', as(user))).body.payments.map((p: { id: string }) => p.id)).toEqual([id]);
  });

  it('replays a keyed create and refuses the key with another body', async () => {
    const user = randomUUID();
    const key = randomUUID();
    const first = await app.api.post('/api/payments', { amount: '1.00', currency: 'EUR' }, as(user, key));
    const again = await app.api.post('/api/payments', { amount: '1.00', currency: 'EUR' }, as(user, key));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.payment.id).toBe(first.body.payment.id);
    const other = await app.api.post('/api/payments', { amount: '2.00', currency: 'EUR' }, as(user, key));
    expect([other.status, other.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await app.db.knex('payments').where({ user_id: user }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('answers with the API\'s problems: no key, no caller, another caller\'s payment, illegal transition, over-refund', async () => {
    const user = randomUUID();
    expect((await app.api.post('/api/payments', { amount: '1.00', currency: 'USD' }, as(user))).body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect((await app.api.get('/api/payments')).status).toBe(401);
    const id = (await app.api.post('/api/payments', { amount: '3.00', currency: 'USD' }, as(user, randomUUID()))).body.payment.id as string;
    expect((await app.api.get(`/api/payments/${id}`, as(randomUUID()))).body.code).toBe('PAYMENT_NOT_FOUND');
    expect((await app.api.post(`/api/payments/${id}/refunds`, { amount: '1.00' }, as(user))).body.code).toBe('PAYMENT_INVALID_TRANSITION');
    await app.api.post(`/api/payments/${id}/capture`, {}, as(user));
    expect((await app.api.post(`/api/payments/${id}/refunds`, { amount: '3.01' }, as(user))).body.code).toBe('PAYMENT_REFUND_EXCEEDS_CAPTURED');
    expect((await app.api.post('/api/payments', { amount: '1.001', currency: 'USD' }, as(user, randomUUID()))).status).toBe(400);
  });
});
