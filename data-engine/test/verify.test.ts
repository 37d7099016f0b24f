import { randomUUID } from 'node:crypto';
import { testDialects } from '@strangler/kit/testing';
import { runVerify } from '../src/data/verify/verify';
import { createHarness, killStrayChildren, runCli, type Harness } from './support/data-harness';
import { insertMonolithPayments, monolithPayment } from './support/payment-rows';

jest.setTimeout(60_000);

describe.each(testDialects())('verify on %s', (dialect) => {
  let h: Harness;
  let ids: string[];
  beforeAll(async () => {
    h = await createHarness(dialect, 'payments');
    ids = (await insertMonolithPayments(h.knex('monolith'), 250)).sort();
    const first = await h.knex('monolith')('payments').where({ id: ids[0] }).first();
    await h.knex('monolith')('payments').where({ id: first.id }).update({ status: 'REFUNDED', captured_amount: first.amount, refunded_amount: first.amount });
    await h.knex('monolith')('refunds').insert({ id: randomUUID(), payment_id: first.id, amount: first.amount, created_at: new Date() });
    await h.backfill('to-service');
  });
  afterAll(async () => {
    killStrayChildren();
    await h?.close();
  });

  const verify = (extra: Partial<Parameters<typeof runVerify>[0]> = {}) =>
    runVerify({ capability: h.capability, monolith: h.knex('monolith'), service: h.knex('service'), chunkSize: 40, rechecks: 1, recheckDelayMs: 10, ...extra });

  it('finds a tampered row, a missing row and an extra row, field by field; exit 3 from the CLI', async () => {
    expect((await verify()).ok).toBe(true);
    const tampered = ids[100] as string;
    const missing = ids[200] as string;
    const extra = monolithPayment();
    const before = await h.knex('service')('payments').where({ id: tampered }).first();
    const saved = await h.knex('service')('payments').where({ id: missing }).first();
    await h.knex('service')('payments').where({ id: tampered }).update({ status: 'voided', captured_minor: 0, amount_minor: Number(before.amount_minor) + 1 });
    await h.knex('service')('payments').where({ id: missing }).delete();
    await h.knex('monolith')('payments').insert(extra);
    try {
      const report = await verify();
      expect(report.ok).toBe(false);
      const payments = report.mappings.find((m) => m.mapping === 'payments');
      expect(payments?.differences).toBe(3);
      expect(payments?.reported).toEqual(
        expect.arrayContaining([
          {
            key: [tampered],
            kind: 'different',
            fields: { amount_minor: { monolith: String(before.amount_minor), service: String(Number(before.amount_minor) + 1) }, status: { monolith: 'authorized', service: 'voided' } },
          },
          { key: [missing], kind: 'missing-on-service' },
          { key: [extra.id], kind: 'missing-on-service' },
        ]),
      );
      expect(report.mappings.find((m) => m.mapping === 'refunds')?.differences).toBe(0);

      const cli = await runCli(['verify', 'payments', '--json', '--rechecks', '0'], h.env);
      expect(cli.code).toBe(3);
      expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false, capability: 'payments' });
      const human = await runCli(['verify', 'payments', '--rechecks', '0'], h.env);
      expect(human.code).toBe(3);
      expect(human.stdout).toContain(`different ["${tampered}"]: amount_minor: monolith "${before.amount_minor}"`);
      expect(human.stdout).toContain(`missing-on-service ["${missing}"]`);
    } finally {
      await h.knex('service')('payments').where({ id: tampered }).update(before);
      await h.knex('service')('payments').insert(saved);
      await h.knex('monolith')('payments').where({ id: extra.id }).delete();
    }
    expect((await verify()).ok).toBe(true);
  });

  it('a row only the service has is reported too, and an unreadable one names its problem', async () => {
    const orphan = { ...(await h.knex('service')('payments').where({ id: ids[5] }).first()), id: randomUUID() };
    await h.knex('service')('payments').insert(orphan);
    await h.knex('monolith')('payments').where({ id: ids[6] }).update({ currency: 'XXX' });
    try {
      const report = await verify();
      expect(report.mappings[0]?.reported).toEqual(
        expect.arrayContaining([
          { key: [orphan.id], kind: 'missing-on-monolith' },
          { key: [ids[6]], kind: 'unreadable', side: 'monolith', error: expect.stringMatching(/unsupported currency "XXX"/) },
        ]),
      );
    } finally {
      await h.knex('service')('payments').where({ id: orphan.id }).delete();
      await h.knex('monolith')('payments').where({ id: ids[6] }).update({ currency: (await h.knex('service')('payments').where({ id: ids[6] }).first()).currency });
    }
  });

  it('re-checks a differing chunk before calling it different: a sync landing meanwhile is not drift', async () => {
    const id = ids[42] as string;
    const original = await h.knex('service')('payments').where({ id }).first();
    await h.knex('service')('payments').where({ id }).update({ description: 'in flight' });
    // The "sync" lands while verify waits to re-check.
    const landing = new Promise((resolve) => setTimeout(resolve, 150)).then(() => h.knex('service')('payments').where({ id }).update({ description: original.description }));
    const report = await verify({ rechecks: 3, recheckDelayMs: 200 });
    await landing;
    expect(report.ok).toBe(true);
    expect(report.mappings[0]?.settledOnRecheck).toBe(1);
  });
});
