import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { testDialects, type HttpClient, type TestResponse } from '@strangler/kit/testing';
import {
  copyMonolithPaymentsToService,
  serviceIdempotencyKeyToMonolith,
  servicePaymentToMonolith,
  serviceRefundToMonolith,
} from '@strangler/data-engine';
import { isCurrency } from '@strangler/kit';
import { startSessionIssuer, type RunningSessionIssuer } from '@strangler/monolith/testing';
import { startPaymentsService, type RunningPaymentsService } from '../src/testing';

/** Every pairing the data migration may meet: same dialect on both sides, and across. */
function dialectPairs(): Array<['sqlite' | 'mysql', 'sqlite' | 'mysql']> {
  const dialects = testDialects();
  return dialects.flatMap((monolith) => dialects.map((service) => [monolith, service] as ['sqlite' | 'mysql', 'sqlite' | 'mysql']));
}

const ordered = (knex: Knex, table: string, columns: string[]) => knex(table).select('*').orderBy(columns);

describe.each(dialectPairs())('copying payments from a monolith on %s to the service on %s', (monolithDialect, serviceDialect) => {
  let monolith: RunningSessionIssuer;
  let service: RunningPaymentsService;
  beforeAll(async () => {
    monolith = await startSessionIssuer(monolithDialect);
    service = await startPaymentsService(serviceDialect, { peers: [monolith.url] });
  });
  afterAll(async () => {
    await service?.stop();
    await monolith?.stop();
  });

  interface Made {
    token: string;
    userId: string;
    ids: string[];
    /** Requests made with an Idempotency-Key on the monolith, with the response it gave. */
    keyed: Array<{ path: string; body: unknown; key: string; text: string; status: number }>;
  }

  /** A user with payments in every state and a few currencies, all made through the monolith's API. */
  async function paymentsOnTheMonolith(): Promise<Made> {
    const { token, userId } = await monolith.newUser();
    const api: HttpClient = monolith.api;
    const keyed: Made['keyed'] = [];
    const call = async (path: string, body: unknown, key?: string) => {
      const res = await api.post(path, body, { token, headers: key ? { 'idempotency-key': key } : {} });
      expect(res.status).toBeLessThan(300);
      if (key) keyed.push({ path, body, key, text: res.text, status: res.status });
      return res.body;
    };
    const create = async (body: Record<string, unknown>) => (await call('/api/payments', body, randomUUID())).payment.id as string;

    const authorized = await create({ amount: '19.99', currency: 'USD', description: 'Socks', orderId: 'ord-42' });
    const captured = await create({ amount: '1000', currency: 'JPY' });
    await call(`/api/payments/${captured}/capture`, undefined, randomUUID());
    const partly = await create({ amount: '1.234', currency: 'KWD', description: null });
    await call(`/api/payments/${partly}/capture`, {});
    await call(`/api/payments/${partly}/refunds`, { amount: '0.001' }, randomUUID());
    await call(`/api/payments/${partly}/refunds`, { amount: '0.2' });
    const refunded = await create({ amount: '999999999999.99', currency: 'EUR' });
    await call(`/api/payments/${refunded}/capture`, undefined);
    await call(`/api/payments/${refunded}/refunds`, { amount: '999999999999.99' }, randomUUID());
    const voided = await create({ amount: '0.01', currency: 'GBP' });
    await call(`/api/payments/${voided}/void`, undefined, randomUUID());
    return { token, userId, ids: [authorized, captured, partly, refunded, voided], keyed };
  }

  async function expectSameAnswers(made: Made): Promise<void> {
    for (const id of made.ids) {
      const there = await monolith.api.get(`/api/payments/${id}`, { token: made.token });
      const here = await service.api.get(`/api/payments/${id}`, { token: made.token });
      expect(there.status).toBe(200);
      expect({ status: here.status, text: here.text }).toEqual({ status: 200, text: there.text });
    }
    let cursor: string | null = null;
    let pages = 0;
    do {
      const path: string = `/api/payments?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const there: TestResponse = await monolith.api.get(path, { token: made.token });
      const here = await service.api.get(path, { token: made.token });
      expect(here.text).toBe(there.text);
      cursor = there.body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
  }

  it('makes the service answer exactly as the monolith does for the copied payments', async () => {
    const made = await paymentsOnTheMonolith();
    const report = await copyMonolithPaymentsToService(monolith.db.knex, service.db.knex, { userId: made.userId, batchSize: 2 });
    expect(report).toEqual({ payments: 5, refunds: 3, idempotencyKeys: made.keyed.length });

    const row = await service.db.knex('payments').where({ id: made.ids[2] }).first();
    expect([BigInt(row.amount_minor), BigInt(row.captured_minor), BigInt(row.refunded_minor), row.status]).toEqual([1234n, 1234n, 201n, 'partially_refunded']);
    await expectSameAnswers(made);
  });

  it('replays on the service a response the monolith gave for an Idempotency-Key', async () => {
    const made = await paymentsOnTheMonolith();
    await copyMonolithPaymentsToService(monolith.db.knex, service.db.knex, { userId: made.userId });
    for (const request of made.keyed) {
      const again = await service.api.post(request.path, request.body, { token: made.token, headers: { 'idempotency-key': request.key } });
      expect({ status: again.status, replayed: again.headers.get('idempotent-replayed'), text: again.text }).toEqual({
        status: request.status,
        replayed: 'true',
        text: request.text,
      });
    }
    const reused = made.keyed[0]!;
    const other = await service.api.post(reused.path, { amount: '1.00', currency: 'USD' }, { token: made.token, headers: { 'idempotency-key': reused.key } });
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('round-trips: the service rows mapped back are the monolith rows, unchanged', async () => {
    const made = await paymentsOnTheMonolith();
    await copyMonolithPaymentsToService(monolith.db.knex, service.db.knex, { userId: made.userId });
    const m = monolith.db.knex;
    const s = service.db.knex;
    const before = {
      payments: await ordered(m, 'payments', ['id']).where({ user_id: made.userId }),
      refunds: await ordered(m, 'refunds', ['id']).whereIn('payment_id', made.ids),
      keys: await ordered(m, 'idempotency_keys', ['idempotency_key']).where({ user_id: made.userId }),
    };

    const servicePayments = await ordered(s, 'payments', ['id']).where({ user_id: made.userId });
    const currencies = new Map(servicePayments.map((p) => [p.id as string, p.currency as string]));
    const back = {
      payments: servicePayments.map(servicePaymentToMonolith),
      refunds: (await ordered(s, 'refunds', ['id']).whereIn('payment_id', made.ids)).map((r) => {
        const currency = currencies.get(r.payment_id);
        if (!isCurrency(currency)) throw new Error('refund without its payment');
        return serviceRefundToMonolith(r, currency);
      }),
      keys: (await ordered(s, 'idempotency_keys', ['key_hash']).where({ user_id: made.userId })).map(serviceIdempotencyKeyToMonolith),
    };
    expect(back.payments.map((p) => p.id)).toEqual(before.payments.map((p) => p.id));
    expect(back.refunds).toHaveLength(before.refunds.length);
    expect(back.keys).toHaveLength(before.keys.length);

    // Write the round-tripped rows over the originals: the monolith must not see a single change.
    await m('payments').insert(back.payments).onConflict('id').merge();
    await m('refunds').insert(back.refunds).onConflict('id').merge();
    await m('idempotency_keys').insert(back.keys).onConflict(['user_id', 'idempotency_key']).merge();
    expect({
      payments: await ordered(m, 'payments', ['id']).where({ user_id: made.userId }),
      refunds: await ordered(m, 'refunds', ['id']).whereIn('payment_id', made.ids),
      keys: await ordered(m, 'idempotency_keys', ['idempotency_key']).where({ user_id: made.userId }),
    }).toEqual(before);
  });

  it('is an upsert: copying again brings changes over without duplicating anything', async () => {
    const made = await paymentsOnTheMonolith();
    await copyMonolithPaymentsToService(monolith.db.knex, service.db.knex, { userId: made.userId });
    const [authorized, , partly] = made.ids;
    expect((await monolith.api.post(`/api/payments/${authorized}/capture`, undefined, { token: made.token })).status).toBe(200);
    expect((await monolith.api.post(`/api/payments/${partly}/refunds`, { amount: '1.033' }, { token: made.token, headers: { 'idempotency-key': randomUUID() } })).status).toBe(201);

    const again = await copyMonolithPaymentsToService(monolith.db.knex, service.db.knex, { userId: made.userId });
    expect(again).toEqual({ payments: 5, refunds: 4, idempotencyKeys: made.keyed.length + 1 });
    const count = async (table: string, where: Record<string, string>) =>
      Number((await service.db.knex(table).where(where).count({ n: '*' }))[0]?.n);
    expect(await count('payments', { user_id: made.userId })).toBe(5);
    expect(await count('refunds', { payment_id: partly! })).toBe(3);
    await expectSameAnswers(made);
  });

  it('copies only the given user’s data when asked, and everything otherwise', async () => {
    const alice = await paymentsOnTheMonolith();
    const bob = await paymentsOnTheMonolith();
    await copyMonolithPaymentsToService(monolith.db.knex, service.db.knex, { userId: bob.userId });
    expect((await service.api.get(`/api/payments/${alice.ids[0]}`, { token: alice.token })).status).toBe(404);
    expect((await service.api.get(`/api/payments/${bob.ids[0]}`, { token: bob.token })).status).toBe(200);

    const everything = await copyMonolithPaymentsToService(monolith.db.knex, service.db.knex, { batchSize: 3 });
    const total = async (knex: Knex, table: string) => Number((await knex(table).count({ n: '*' }))[0]?.n);
    expect(everything).toEqual({
      payments: await total(monolith.db.knex, 'payments'),
      refunds: await total(monolith.db.knex, 'refunds'),
      idempotencyKeys: await total(monolith.db.knex, 'idempotency_keys'),
    });
    expect(await total(service.db.knex, 'payments')).toBe(everything.payments);
    await expectSameAnswers(alice);
  });
});
