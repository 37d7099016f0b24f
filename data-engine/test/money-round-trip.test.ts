import { createHash, randomUUID } from 'node:crypto';
import { testDialects } from '@strangler/kit/testing';
import { createHarness, type Harness } from './support/data-harness';
import { monolithPayment } from './support/payment-rows';

jest.setTimeout(60_000);

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each(testDialects())('money and every other column, monolith → service → monolith, on %s', (dialect) => {
  let there: Harness;
  let back: Harness;
  beforeAll(async () => {
    [there, back] = await Promise.all([createHarness(dialect, 'payments'), createHarness(dialect, 'payments')]);
  });
  afterAll(async () => Promise.all([there?.close(), back?.close()]));

  it('comes back unchanged: DECIMALs to integer minor units and back, statuses, renamed columns', async () => {
    const cases: Array<[string, string, string, string, string]> = [
      // currency, amount, captured, refunded, status
      ['USD', '19.99', '19.99', '0.01', 'PARTIALLY_REFUNDED'],
      ['USD', '0.01', '0.00', '0.00', 'AUTHORIZED'],
      ['EUR', '999999999999.99', '999999999999.99', '999999999999.99', 'REFUNDED'],
      ['JPY', '1000', '1000', '0', 'CAPTURED'],
      ['JPY', '1', '0', '0', 'VOIDED'],
      ['KWD', '1.234', '1.234', '0.001', 'PARTIALLY_REFUNDED'],
      ['KWD', '999999999999.999', '0.000', '0.000', 'AUTHORIZED'],
      ['SEK', '0.10', '0.10', '0.00', 'CAPTURED'],
      ['CHF', '100000000000.05', '100000000000.05', '0.05', 'PARTIALLY_REFUNDED'],
    ];
    const monolith = there.knex('monolith');
    const at = new Date('2031-02-03T04:05:06.789Z');
    for (const [currency, amount, captured, refunded, status] of cases) {
      const row = monolithPayment({ currency, amount, captured_amount: captured, refunded_amount: refunded, status, created_at: at, updated_at: new Date(at.getTime() + 1) });
      await monolith('payments').insert(row);
      if (refunded !== '0' && Number(refunded) > 0) await monolith('refunds').insert({ id: randomUUID(), payment_id: row.id, amount: refunded, created_at: new Date(at.getTime() + 2) });
      await monolith('idempotency_keys').insert({
        user_id: row.user_id,
        idempotency_key: hex(`key-${String(row.id)}`),
        request_hash: hex(`request-${String(row.id)}`),
        response_status: 201,
        response_body: JSON.stringify({ payment: { id: row.id, amount, currency } }),
        created_at: at,
      });
    }

    await there.backfill('to-service');
    const service = there.knex('service');
    const kwd = await service('payments').where({ currency: 'KWD', status: 'partially_refunded' }).first();
    expect([String(kwd.amount_minor), String(kwd.captured_minor), String(kwd.refunded_minor)]).toEqual(['1234', '1234', '1']);
    const eur = await service('payments').where({ currency: 'EUR' }).first();
    expect(String(eur.amount_minor)).toBe('99999999999999');

    // The service's rows become the only copy: restore them into an empty monolith.
    for (const table of ['payments', 'refunds', 'idempotency_keys']) {
      const rows = await service(table).select('*');
      if (rows.length) await back.knex('service')(table).insert(rows);
    }
    await back.backfill('to-monolith');

    for (const [table, order] of [
      ['payments', 'id'],
      ['refunds', 'id'],
      ['idempotency_keys', 'idempotency_key'],
    ] as const) {
      const original = await monolith(table).select('*').orderBy(order);
      const returned = await back.knex('monolith')(table).select('*').orderBy(order);
      expect(returned).toEqual(original);
    }
    expect((await back.verify()).ok).toBe(true);
  });
});
