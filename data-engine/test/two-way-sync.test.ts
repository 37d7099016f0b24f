import { randomUUID } from 'node:crypto';
import { createLogger } from '@strangler/kit';
import { testDialects } from '@strangler/kit/testing';
import { listQuarantine } from '../src/data/quarantine/quarantine-store';
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
    // The 200 inserts were captured too (capture came first): the sync finds them already there.
    const capturedBefore = await h.pending('monolith');
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
    expect(report.invariants.map((i) => [i.name, i.violations])).toEqual([
      ['refunds-add-up', 0],
      ['status-matches-amounts', 0],
      ['one-record-per-idempotency-key', 0],
    ]);
    // Each app write op captures one or two rows (a refund also updates its payment). Applied
    // writes themselves are never re-captured, and nothing was in conflict.
    expect(consumed.size).toBeLessThanOrEqual(capturedBefore + writes * 2);
    expect(toService.applied.counts.conflicts + toMonolith.applied.counts.conflicts).toBe(0);
    expect(toService.applied.counts.quarantined + toMonolith.applied.counts.quarantined).toBe(0);
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

  it('a change on either side after the sides agreed is carried, whatever the timestamps say (no clock decides)', async () => {
    const a = await paymentOnBothSides();
    const b = await paymentOnBothSides();
    // Stamped an hour in the past (a host whose clock is behind): still the later write.
    await h.knex('service')('payments').where({ id: a.id }).update({ description: 'service, later, old clock', updated_at: new Date(a.at - 3_600_000) });
    await h.knex('monolith')('payments').where({ id: b.id }).update({ description: 'monolith, later, old clock', updated_at: new Date(b.at - 3_600_000) });
    // Each worker runs once, in either order: neither order may matter.
    await (await h.worker('to-service')).drain();
    await (await h.worker('to-monolith')).drain();
    await h.settle();
    expect([await description('monolith', a.id), await description('service', a.id)]).toEqual(['service, later, old clock', 'service, later, old clock']);
    expect([await description('monolith', b.id), await description('service', b.id)]).toEqual(['monolith, later, old clock', 'monolith, later, old clock']);
    // And a change on top of a carried one goes on flowing both ways.
    await h.knex('monolith')('payments').where({ id: a.id }).update({ description: 'monolith, on top' });
    await h.settle();
    expect([await description('monolith', a.id), await description('service', a.id)]).toEqual(['monolith, on top', 'monolith, on top']);
    expect((await h.verify()).ok).toBe(true);
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
      expect(((await ready.json()) as { checks: unknown }).checks).toMatchObject({ 'to-service:capture': 'ok', 'to-monolith:capture': 'ok' });
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

  it('a change it cannot carry is set aside in the quarantine with why, without blocking the others; corrected, it is carried', async () => {
    const worker = await h.worker('to-service');
    const bad = monolithPayment({ status: 'ON_HOLD' });
    await h.knex('monolith')('payments').insert([bad, monolithPayment(), monolithPayment()]);
    await worker.drain();
    expect(Number((await h.knex('service')('payments').count({ n: '*' }))[0]?.n)).toBe(2);
    // Consumed: it does not hold the lag up; it waits in the quarantine instead.
    expect(await h.pending('monolith')).toBe(0);
    const [entry] = await listQuarantine(h.knex('service'), 'payments', { open: true });
    expect(entry).toMatchObject({ direction: 'to-service', mapping: 'payments', key: [bad.id], kind: 'invalid-source' });
    expect(entry?.reason).toBe(`cannot be carried from the monolith to the service: payment ${String(bad.id)} has unknown monolith status "ON_HOLD"`);
    expect(entry?.source).toMatchObject({ id: bad.id, status: 'ON_HOLD' });
    await h.knex('monolith')('payments').where({ id: bad.id }).update({ status: 'VOIDED' });
    await worker.drain();
    expect((await h.knex('service')('payments').where({ id: bad.id }).first())?.status).toBe('voided');
    expect(await listQuarantine(h.knex('service'), 'payments', { open: true })).toEqual([]);
    expect((await listQuarantine(h.knex('service'), 'payments'))[0]).toMatchObject({ resolution: 'carried or found equal' });
  });
});
