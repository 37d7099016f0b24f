import { randomUUID } from 'node:crypto';
import { createLogger } from '@strangler/kit';
import { testDialects } from '@strangler/kit/testing';
import { startSyncService } from '../src/data/sync/sync-service';
import { createHarness, waitFor, type Harness } from './support/data-harness';
import { insertMonolithPayments, monolithPayment, startWriter, toServiceShape } from './support/payment-rows';

jest.setTimeout(60_000);

const ms = (value: unknown) => (value instanceof Date ? value.getTime() : Number(value));

describe.each(testDialects())('two-way sync on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
    await h.installCapture();
  });
  afterEach(async () => h?.close());

  it('both directions at once, with traffic on both sides, converge; nothing loops back', async () => {
    await insertMonolithPayments(h.knex('monolith'), 200);
    await h.backfill('to-service');
    // Distinct captured changes applied: a batch applied again after a failed acknowledgement is no loop.
    const consumed = new Set<string>();
    const onApplied = (direction: string) => (changes: readonly { id: string }[]) => changes.forEach((change) => consumed.add(`${direction}:${change.id}`));
    const [toService, toMonolith] = await Promise.all([
      h.worker('to-service', { pollMs: 10, onApplied: onApplied('to-service') }),
      h.worker('to-monolith', { pollMs: 10, onApplied: onApplied('to-monolith') }),
    ]);
    const loops = [toService.run(), toMonolith.run()];
    const writers = [startWriter(h.connect('monolith'), 'monolith'), startWriter(h.connect('service'), 'service')];
    // Enough traffic on each side whatever the machine's load: at least 1.5 s and 30 writes each.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await waitFor('30 writes on each side', async () => writers.every((w) => w.writes >= 30), 30_000);
    const writes = (await Promise.all(writers.map((w) => w.stop()))).reduce((a, b) => a + b, 0);
    await waitFor('both changelogs to drain', async () => (await h.pending('monolith')) + (await h.pending('service')) === 0, 20_000);
    // No ping-pong: with both workers still running, nothing more is captured or applied.
    const carried = toService.applied.changes + toMonolith.applied.changes;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(toService.applied.changes + toMonolith.applied.changes).toBe(carried);
    expect((await h.pending('monolith')) + (await h.pending('service'))).toBe(0);
    await Promise.all([toService.stop(), toMonolith.stop()]);
    await Promise.all(loops);

    expect(writes).toBeGreaterThan(50);
    const report = await h.verify();
    expect(report.ok).toBe(true);
    // Each app write op captures one or two rows (a refund also updates its payment); entities
    // re-announced after a conflict come on top. Applied writes themselves are never re-captured.
    const kept = toService.applied.counts.kept + toMonolith.applied.counts.kept;
    expect(consumed.size).toBeLessThanOrEqual(writes * 2 + kept);
    expect(toService.applied.counts.inserted).toBeGreaterThan(0);
    expect(toMonolith.applied.counts.inserted).toBeGreaterThan(0);
  });

  async function paymentOnBothSides() {
    const row = monolithPayment({ description: 'original' });
    await h.knex('monolith')('payments').insert(row);
    await h.settle();
    return { id: String(row.id), at: ms(row.updated_at) };
  }

  const description = async (side: 'monolith' | 'service', id: string) => (await h.knex(side)('payments').where({ id }).first()).description;

  it('a row written on both sides within the lag: the later updated_at wins, on both sides', async () => {
    const a = await paymentOnBothSides();
    const b = await paymentOnBothSides();
    await h.knex('monolith')('payments').where({ id: a.id }).update({ description: 'monolith, later', updated_at: new Date(a.at + 2_000) });
    await h.knex('service')('payments').where({ id: a.id }).update({ description: 'service, earlier', updated_at: new Date(a.at + 1_000) });
    await h.knex('monolith')('payments').where({ id: b.id }).update({ description: 'monolith, earlier', updated_at: new Date(b.at + 1_000) });
    await h.knex('service')('payments').where({ id: b.id }).update({ description: 'service, later', updated_at: new Date(b.at + 2_000) });
    // Each worker runs once, in either order: neither order may matter.
    await (await h.worker('to-monolith')).drain();
    await (await h.worker('to-service')).drain();
    await h.settle();
    expect([await description('monolith', a.id), await description('service', a.id)]).toEqual(['monolith, later', 'monolith, later']);
    expect([await description('monolith', b.id), await description('service', b.id)]).toEqual(['service, later', 'service, later']);
    expect((await h.verify()).ok).toBe(true);
  });

  it.each([['monolith'], ['service']] as const)('on equal updated_at the authority (%s) wins, whichever worker runs first', async (authority) => {
    const a = await paymentOnBothSides();
    const tie = new Date(a.at + 5_000);
    await h.knex('monolith')('payments').where({ id: a.id }).update({ description: 'from the monolith', updated_at: tie });
    await h.knex('service')('payments').where({ id: a.id }).update({ description: 'from the service', updated_at: tie });
    await (await h.worker('to-service', { authority })).drain();
    await (await h.worker('to-monolith', { authority })).drain();
    for (let i = 0; i < 2; i++) for (const d of ['to-service', 'to-monolith'] as const) await (await h.worker(d, { authority })).drain();
    const expected = `from the ${authority}`;
    expect([await description('monolith', a.id), await description('service', a.id)]).toEqual([expected, expected]);
  });

  it('deletes propagate, children first', async () => {
    const row = monolithPayment();
    const refund = { id: randomUUID(), payment_id: row.id, amount: row.amount, created_at: new Date() };
    await h.knex('monolith')('payments').insert(row);
    await h.knex('monolith')('refunds').insert(refund);
    await h.settle();
    expect(await h.knex('service')('refunds').where({ id: refund.id }).first()).toBeTruthy();
    await h.knex('monolith').transaction(async (trx) => {
      await trx('refunds').where({ id: refund.id }).delete();
      await trx('payments').where({ id: row.id }).delete();
    });
    await h.settle();
    expect(await h.knex('service')('payments').where({ id: row.id }).first()).toBeUndefined();
    expect(await h.knex('service')('refunds').where({ id: refund.id }).first()).toBeUndefined();
    expect((await h.verify()).ok).toBe(true);
  });

  it('a refund captured before its payment reached the target brings the payment along', async () => {
    const row = toServiceShape(monolithPayment({ status: 'CAPTURED' }));
    row.captured_minor = row.amount_minor;
    await h.knex('service')('payments').insert(row);
    await h.knex('service')('refunds').insert({ id: randomUUID(), payment_id: row.id, amount_minor: '1', created_at: new Date() });
    // Only the refund's change is consumed: the payment's entry is dropped on purpose.
    await h.knex('service')('sync_changelog_payments').where({ mapping: 'payments' }).delete();
    await (await h.worker('to-monolith')).drain();
    expect(await h.knex('monolith')('payments').where({ id: row.id }).first()).toMatchObject({ status: 'CAPTURED' });
  });

  it('runs as a process with health, readiness and metrics, and stops gracefully', async () => {
    await insertMonolithPayments(h.knex('monolith'), 20);
    const service = await startSyncService({
      capability: h.capability,
      directions: ['to-service', 'to-monolith'],
      urls: h.urls,
      port: 0,
      host: '127.0.0.1',
      authority: 'monolith',
      pollMs: 10,
      logger: createLogger({ name: 'data-sync', level: 'silent' }),
    });
    try {
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${service.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect((await ready.json()).checks).toMatchObject({ 'to-service:capture': 'ok', 'to-monolith:capture': 'ok' });
      // Metrics are recorded just after the commit that makes the rows visible: wait for them.
      const metrics = await waitFor('metrics of the applied rows', async () => {
        const text = await (await fetch(`${service.url}/metrics`)).text();
        return /data_sync_apply_lag_seconds_count\{[^}]*direction="to-service"[^}]*\} 20/.test(text) && /data_sync_lag_seconds\{[^}]*direction="to-service"/.test(text) ? text : undefined;
      });
      expect(metrics).toMatch(/data_sync_rows_applied_total\{[^}]*direction="to-service",mapping="payments",outcome="inserted"[^}]*\} 20/);
      expect(metrics).toMatch(/data_sync_lag_seconds\{[^}]*direction="to-service"[^}]*\} \d/);
      expect(metrics).toMatch(/data_sync_apply_lag_seconds_count\{[^}]*direction="to-service"[^}]*\} 20/);
      expect(metrics).toMatch(/data_sync_errors_total/);

      // Paused (or stuck), the worker polls nothing; the lag is read from the backlog at each scrape
      // all the same, so it grows instead of showing the last poll's 0.
      service.control.pause();
      await insertMonolithPayments(h.knex('monolith'), 1);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const paused = await (await fetch(`${service.url}/metrics`)).text();
      const lag = Number(/data_sync_lag_seconds\{[^}]*direction="to-service"[^}]*\} ([\d.]+)/.exec(paused)?.[1]);
      expect(lag).toBeGreaterThanOrEqual(1);
      service.control.resume();
      await waitFor('the lag back to 0', async () => / 0$/m.test((await (await fetch(`${service.url}/metrics`)).text()).split('\n').find((l) => l.startsWith('data_sync_lag_seconds{') && l.includes('to-service')) ?? ''));
    } finally {
      await service.stop(1_000);
    }
    await expect(fetch(`${service.url}/health/live`)).rejects.toThrow();
  });

  it('a change it cannot apply is counted, held back and retried, without blocking the others', async () => {
    const worker = await h.worker('to-service');
    const bad = monolithPayment({ status: 'ON_HOLD' });
    await h.knex('monolith')('payments').insert([bad, monolithPayment(), monolithPayment()]);
    await worker.drain();
    expect(Number((await h.knex('service')('payments').count({ n: '*' }))[0]?.n)).toBe(2);
    expect(await h.pending('monolith')).toBe(1);
    await h.knex('monolith')('payments').where({ id: bad.id }).update({ status: 'VOIDED' });
    await waitFor('the held-back change to be retried', async () => {
      await worker.drain();
      return (await h.knex('service')('payments').where({ id: bad.id }).first())?.status === 'voided';
    }, 5_000, 100);
  });
});
