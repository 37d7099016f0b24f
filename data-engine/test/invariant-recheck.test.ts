import { testDialects } from '@strangler/kit/testing';
import { shippedMapping } from './support/shipped-capabilities';
import { InvariantCollector } from '../src/data/verify/invariant-collector';
import { createHarness, type Harness } from './support/data-harness';
import { keyed, startPaymentsApps, type PaymentsApps } from './support/payments-apps';

const paymentsMapping = shippedMapping('payments', 'payments');

jest.setTimeout(90_000);

/**
 * Verify reads a chunk of payments, then their refunds: a refund created in between (with its
 * payment's new refunded amount, in one transaction) looked like a refund its payment does not count.
 * Under the drill's traffic that held every payments flip for minutes (737 s for `complete`). A row
 * invariant is read again, entity and related rows in one snapshot, before it counts.
 */
describe.each(testDialects())('row invariants under writes, on %s', (dialect) => {
  let h: Harness;
  let apps: PaymentsApps;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
    apps = await startPaymentsApps(h);
  });
  afterEach(async () => {
    await apps?.close();
    await h?.close();
  });

  const collector = () => new InvariantCollector(h.capability, { monolith: h.knex('monolith'), service: h.knex('service') }, { rechecks: 2, recheckDelayMs: 20 });
  const refundsAddUp = (c: InvariantCollector) => c.results().find((report) => report.name === 'refunds-add-up');

  async function capturedPayment(): Promise<{ id: string; token: string }> {
    const user = await apps.newUser();
    const created = await apps.service.post('/api/payments', { amount: '20.00', currency: 'USD' }, keyed(user.token));
    expect(created.status).toBe(201);
    const id = created.body.payment.id as string;
    expect((await apps.service.post(`/api/payments/${id}/capture`, {}, keyed(user.token))).status).toBe(200);
    return { id, token: user.token };
  }

  it('a payment read before its newest refund is not a violation: the re-read sees both', async () => {
    const { id, token } = await capturedPayment();
    const stale = paymentsMapping.canonical('service', await h.knex('service')('payments').where({ id }).first());
    expect((await apps.service.post(`/api/payments/${id}/refunds`, { amount: '5.00' }, keyed(token))).status).toBe(201);

    const c = collector();
    await c.checkRows('payments', 'service', [{ key: [id], canonical: stale }]);
    await c.settle();
    expect(refundsAddUp(c)?.violations).toBe(0);
  });

  it('a payment whose refunds really do not add up still counts, with the fresh detail', async () => {
    const { id, token } = await capturedPayment();
    expect((await apps.service.post(`/api/payments/${id}/refunds`, { amount: '5.00' }, keyed(token))).status).toBe(201);
    await h.knex('service')('payments').where({ id }).update({ refunded_minor: 0, status: 'captured' });
    const row = paymentsMapping.canonical('service', await h.knex('service')('payments').where({ id }).first());

    const c = collector();
    await c.checkRows('payments', 'service', [{ key: [id], canonical: row }]);
    await c.settle();
    expect(refundsAddUp(c)).toMatchObject({ violations: 1, samples: [{ side: 'service', key: [id], detail: 'refunded 0 but its 1 refund(s) add up to 500 (minor units)' }] });
  });

  it('a payment deleted since the chunk was read breaks nothing', async () => {
    const { id } = await capturedPayment();
    const row = paymentsMapping.canonical('service', await h.knex('service')('payments').where({ id }).first());
    await h.knex('service')('payments').where({ id }).delete();

    const c = collector();
    await c.checkRows('payments', 'service', [{ key: [id], canonical: { ...row, refunded_minor: '100' } }]);
    await c.settle();
    expect(refundsAddUp(c)?.violations).toBe(0);
  });
});
