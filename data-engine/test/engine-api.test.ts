import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isWriteFenced } from '@strangler/kit';
import { testDialects } from '@strangler/kit/testing';
import { loadDataConfig, openEngine, type DataEngine } from '../src';
import * as exampleMappings from '../src/example-mappings';
import { shippedCapability } from './support/shipped-capabilities';
import { createHarness, type Harness } from './support/data-harness';
import { insertMonolithPayments, monolithPayment, toServiceShape } from './support/payment-rows';

jest.setTimeout(60_000);

/**
 * The engine as a library (what `strangler`'s gates call): typed answers from the same code and
 * databases as `npm run data`, no output to read back.
 */
describe.each(testDialects())('the data engine library, on %s', (dialect) => {
  let h: Harness;
  let engine: DataEngine;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
    engine = openEngine(loadDataConfig(h.env));
  });
  afterEach(async () => {
    await engine?.close();
    await h?.close();
  });

  it('answers backlog, status and verify from the capability’s databases, and follows them as rows move', async () => {
    expect(await engine.backlog('payments')).toEqual({
      'to-service': { installed: false, pending: 0, oldestAgeSeconds: null },
      'to-monolith': { installed: false, pending: 0, oldestAgeSeconds: null },
    });
    await engine.close(); // capture state is read once per engine: a fresh one sees the install
    await h.installCapture();
    engine = openEngine(loadDataConfig(h.env));
    await insertMonolithPayments(h.knex('monolith'), 3);

    const backlog = await engine.backlog('payments');
    expect(backlog['to-service']).toMatchObject({ installed: true, pending: 3 });
    expect(backlog['to-service'].oldestAgeSeconds).toEqual(expect.any(Number));
    expect(backlog['to-monolith']).toEqual({ installed: true, pending: 0, oldestAgeSeconds: null });

    const status = await engine.status('payments');
    expect(status.capture.monolith).toMatchObject({ installed: true, pending: 3 });
    expect(status.rows).toContainEqual({ mapping: 'payments', monolith: 3, service: 0 });
    expect(status.blockers['to-service']).toMatch(/^waiting on payments \["[^"]+"\] \(captured [\d.]+ s ago, 3 pending\)$/);
    expect(status.blockers['to-monolith']).toBe('nothing: caught up, nothing quarantined');

    const drift = await engine.verify('payments', { rechecks: 0 });
    expect(drift.ok).toBe(false);
    expect(drift.mappings.find((m) => m.mapping === 'payments')).toMatchObject({ differences: 3, reported: expect.arrayContaining([expect.objectContaining({ kind: 'missing-on-service' })]) });

    await h.settle(['to-service']);
    expect((await engine.backlog('payments'))['to-service'].pending).toBe(0);
    const equal = await engine.verify('payments');
    expect(equal).toMatchObject({ ok: true, rows: 3 });
  });

  it('raises and lowers the database write fence on the sides named, by owner', async () => {
    await engine.raiseFence('payments', ['monolith'], 'switch-a', 30_000);
    const refused = await h.knex('monolith')('payments').insert(monolithPayment()).then(() => undefined, (e: unknown) => e);
    expect(isWriteFenced(refused)).toBe(true);
    await h.knex('service')('payments').insert(toServiceShape(monolithPayment())); // the side not named takes writes
    await engine.lowerFence('payments', ['monolith'], 'switch-a');
    await h.knex('monolith')('payments').insert(monolithPayment());
  });

  it('fails with one sentence: an unknown capability, an unmigrated database, an unreachable one', async () => {
    await expect(engine.backlog('orders')).rejects.toThrow('the data engine knows no capability orders (it knows auth, payments)');
    const empty = mkdtempSync(path.join(tmpdir(), 'engine-api-'));
    try {
      const missing = openEngine(loadDataConfig({ ...h.env, MONOLITH_DATABASE_URL: path.join(empty, 'none.sqlite') }));
      await expect(missing.verify('payments')).rejects.toThrow(/^the monolith database .*none\.sqlite does not exist: check the URL in the manifest's databases, or create it \(the shipped example's: npm run migrate\)$/);
      await missing.close();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const unreachable = openEngine(loadDataConfig({ ...h.env, MONOLITH_DATABASE_URL: 'mysql://root:s3cret@127.0.0.1:1/nowhere' }));
    const error = await unreachable.status('payments').then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/^cannot reach the monolith database at mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/nowhere: /);
    await unreachable.close();
  });
});

describe('the engine’s example mappings entry', () => {
  it('exports the shipped TypeScript mapping and invariants by the names the manifests use, and the engine loads those', () => {
    const auth = shippedCapability('auth');
    const payments = shippedCapability('payments');
    expect(auth.mappings.map((m) => m.name)).toEqual(['users', 'sessions']);
    expect(auth.mappings[0]).toBe(exampleMappings.usersMapping);
    expect(auth.invariants).toEqual(exampleMappings.authInvariants);
    expect(payments.mappings.map((m) => m.name)).toEqual(['payments', 'refunds', 'idempotency_keys']);
    expect(payments.invariants).toEqual(exampleMappings.paymentsInvariants);
  });
});
