import { randomUUID } from 'node:crypto';
import { testDialects } from '@strangler/kit/testing';
import { Registry } from 'prom-client';
import { resolveEntity } from '../src/data/quarantine/resolve-entity';
import { listQuarantine } from '../src/data/quarantine/quarantine-store';
import { capabilityStatus } from '../src/data/status';
import { createSyncMetrics } from '../src/data/sync/sync-metrics';
import { shippedMapping } from './support/shipped-capabilities';
import { createHarness, type Harness } from './support/data-harness';
import { keyed, startPaymentsApps, type PaymentsApps } from './support/payments-apps';

const paymentsMapping = shippedMapping('payments', 'payments');
const idempotencyKeysMapping = shippedMapping('payments', 'idempotency_keys');

jest.setTimeout(90_000);

/**
 * #12: both sides take writes for the same entities before the sync has carried the other side's
 * (a lagging or paused sync across a flip). The sync must never settle that silently: a conflict
 * is recorded with both versions, counted, shown in status and verify, and money is never settled
 * by overwriting; verify checks what the data means, not only that rows match.
 */
describe.each(testDialects())('conflicts between the sides, on %s', (dialect) => {
  let h: Harness;
  let apps: PaymentsApps;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
    await h.installCapture();
    apps = await startPaymentsApps(h);
  });
  afterEach(async () => {
    await apps?.close();
    await h?.close();
  });

  it('A: one idempotent request executed on each side (a retry across a rollback) is a conflict, not a silent merge', async () => {
    const user = await apps.newUser();
    const key = randomUUID();
    const body = { amount: '25.00', currency: 'USD' };
    const first = await apps.service.post('/api/payments', body, keyed(user.token, key));
    expect(first.status).toBe(201);
    // The sync lags: the retry after a rollback reaches the monolith, which has not seen the key.
    const retry = await apps.monolith.post('/api/payments', body, keyed(user.token, key));
    expect(retry.status).toBe(201);
    expect(retry.body.payment.id).not.toBe(first.body.payment.id);

    const registry = new Registry();
    const metrics = createSyncMetrics(registry);
    const toService = await h.worker('to-service', { metrics });
    await toService.drain();
    await (await h.worker('to-monolith', { metrics })).drain();
    await h.settle();
    // Retried (it is due again at once here) and still a conflict: counted once all the same.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await toService.drain();

    // Each side keeps its own record for the key: neither was overwritten.
    const record = async (side: 'monolith' | 'service') => h.knex(side)('idempotency_keys').where({ user_id: user.id }).first();
    expect(JSON.parse((await record('service')).response_body).payment.id).toBe(first.body.payment.id);
    expect(JSON.parse((await record('monolith')).response_body).payment.id).toBe(retry.body.payment.id);
    // Recorded, durably, with both versions, in both directions.
    const open = [...(await listQuarantine(h.knex('service'), 'payments', { open: true })), ...(await listQuarantine(h.knex('monolith'), 'payments', { open: true }))];
    expect(open.map((q) => [q.direction, q.mapping, q.kind])).toEqual([
      ['to-service', 'idempotency_keys', 'conflict'],
      ['to-monolith', 'idempotency_keys', 'conflict'],
    ]);
    expect(open[0]?.reason).toMatch(/^two different records for one idempotency key \(user, key\)/);
    expect(JSON.stringify(open[0]?.source)).toContain(retry.body.payment.id);
    expect(JSON.stringify(open[0]?.target)).toContain(first.body.payment.id);
    // Counted.
    expect(await registry.metrics()).toMatch(/data_sync_conflicts_total\{[^}]*mapping="idempotency_keys",resolution="quarantined"\} 1/);
    // Shown in status, apart from the lag (which is 0: nothing is stuck).
    const status = await capabilityStatus(h.capability, h.knex('monolith'), h.knex('service'));
    expect(status.quarantine['to-service']).toMatchObject({ open: 1, byKind: { conflict: 1 } });
    expect(status.capture.monolith.pending).toBe(0);
    // And verify says what it means.
    const report = await h.verify();
    expect(report.ok).toBe(false);
    const invariant = report.invariants.find((i) => i.name === 'one-record-per-idempotency-key');
    expect(invariant?.violations).toBe(1);
    expect(invariant?.samples[0]?.detail).toMatch(/two different records \(.*response_body.*\): the request ran once on each side/);
    expect(report.quarantine.open).toBe(2);

    // An operator decides: the service's answer is the one the client saw first.
    const resolved = await resolveEntity(h.capability, idempotencyKeysMapping, [user.id, (await record('service')).key_hash], 'service', { monolith: h.knex('monolith'), service: h.knex('service') });
    expect(resolved).toMatchObject({ outcome: 'updated', closed: 2 });
    expect(JSON.parse((await record('monolith')).response_body).payment.id).toBe(first.body.payment.id);
    await h.settle();
    const after = await h.verify();
    expect(after.invariants.find((i) => i.name === 'one-record-per-idempotency-key')?.violations).toBe(0);
    expect(after.quarantine.open).toBe(0);
    // A retry now replays the same answer on either side.
    const replayed = await apps.monolith.post('/api/payments', body, keyed(user.token, key));
    expect([replayed.status, replayed.body.payment.id]).toEqual([201, first.body.payment.id]);
  });

  it('B: a refund on each side of a 20.00 capture is never settled by overwriting; verify shows the over-refund on both sides', async () => {
    const user = await apps.newUser();
    const created = await apps.monolith.post('/api/payments', { amount: '20.00', currency: 'USD' }, keyed(user.token));
    const id = created.body.payment.id as string;
    expect((await apps.monolith.post(`/api/payments/${id}/capture`, {}, keyed(user.token))).status).toBe(200);
    await h.settle();

    expect((await apps.service.post(`/api/payments/${id}/refunds`, { amount: '15.00' }, keyed(user.token))).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 5)); // two writes, two versions
    // The sync is paused: the monolith has not seen the first refund.
    expect((await apps.monolith.post(`/api/payments/${id}/refunds`, { amount: '15.00' }, keyed(user.token))).status).toBe(201);
    const before = {
      monolith: paymentsMapping.canonical('monolith', await h.knex('monolith')('payments').where({ id }).first()),
      service: paymentsMapping.canonical('service', await h.knex('service')('payments').where({ id }).first()),
    };
    await h.settle();

    // Each side's payment row is as its own side wrote it: nothing overwritten.
    expect(paymentsMapping.canonical('monolith', await h.knex('monolith')('payments').where({ id }).first())).toEqual(before.monolith);
    expect(paymentsMapping.canonical('service', await h.knex('service')('payments').where({ id }).first())).toEqual(before.service);
    const open = await listQuarantine(h.knex('service'), 'payments', { open: true });
    expect(open).toMatchObject([{ mapping: 'payments', key: [id], kind: 'conflict' }]);
    expect(open[0]?.reason).toMatch(/both sides changed this payment since they last agreed .*quarantined for an operator/);
    // The refunds themselves are separate entities: both reach both sides, so both sides show the truth.
    for (const side of ['monolith', 'service'] as const) expect(Number((await h.knex(side)('refunds').where({ payment_id: id }).count({ n: '*' }))[0]?.n)).toBe(2);
    const report = await h.verify();
    expect(report.ok).toBe(false);
    const refunds = report.invariants.find((i) => i.name === 'refunds-add-up');
    expect(refunds?.violations).toBe(2);
    expect(refunds?.samples.map((v) => v.side).sort()).toEqual(['monolith', 'service']);
    expect(refunds?.samples[0]?.detail).toBe('refunded 1500 but its 2 refund(s) add up to 3000; refunds 3000 exceed the capture 2000 (minor units)');
  });

  it('rows changed on one side only go on flowing while an entity sits in conflict', async () => {
    const user = await apps.newUser();
    const key = randomUUID();
    await apps.service.post('/api/payments', { amount: '1.00', currency: 'EUR' }, keyed(user.token, key));
    await apps.monolith.post('/api/payments', { amount: '1.00', currency: 'EUR' }, keyed(user.token, key));
    const other = await apps.monolith.post('/api/payments', { amount: '2.00', currency: 'EUR' }, keyed(user.token));
    await h.settle();
    await apps.monolith.post(`/api/payments/${other.body.payment.id}/capture`, {}, keyed(user.token));
    await h.settle();
    expect((await h.knex('service')('payments').where({ id: other.body.payment.id }).first()).status).toBe('captured');
    expect(await h.pending('monolith')).toBe(0);
    expect(await h.pending('service')).toBe(0);
  });
});

describe.each(testDialects())('conflict rules of the auth mappings, on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'auth');
    await h.installCapture();
  });
  afterEach(async () => h?.close());

  const now = Date.now();
  const user = (id = randomUUID()) => ({
    id,
    email: `u-${id}@example.com`,
    name: 'U',
    password_hash: 'a'.repeat(64),
    password_salt: 'b'.repeat(32),
    password_scheme: 'legacy-sha256',
    password_params: null,
    created_at: new Date(now - 60_000),
    updated_at: new Date(now - 60_000),
  });
  const session = (userId: string) => ({ token_hash: randomUUID().replace(/-/g, '').padEnd(64, '0'), user_id: userId, created_at: new Date(now - 50_000), expires_at: new Date(now + 3_600_000), revoked_at: null });

  it('a session revoked on both sides ends with the earlier revocation on both; the settlement is recorded', async () => {
    const u = user();
    const s = session(u.id);
    await h.knex('monolith')('users').insert(u);
    await h.knex('monolith')('sessions').insert(s);
    await h.settle();
    await h.knex('monolith')('sessions').where({ token_hash: s.token_hash }).update({ revoked_at: new Date(now - 2_000) });
    await h.knex('service')('sessions').where({ token_hash: s.token_hash }).update({ revoked_at: new Date(now - 1_000) });
    await h.settle();
    const revoked = async (side: 'monolith' | 'service') => {
      const value = (await h.knex(side)('sessions').where({ token_hash: s.token_hash }).first()).revoked_at;
      return value instanceof Date ? value.getTime() : Number(value);
    };
    expect([await revoked('monolith'), await revoked('service')]).toEqual([now - 2_000, now - 2_000]);
    const recorded = [...(await listQuarantine(h.knex('service'), 'auth')), ...(await listQuarantine(h.knex('monolith'), 'auth'))];
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((q) => q.kind === 'conflict' && q.resolvedAt !== null && /^rule: a delete or a revocation wins/.test(q.resolution ?? ''))).toBe(true);
    expect((await h.verify()).ok).toBe(true);
  });

  it("a user erased on one side while the other changed them stays erased on both (their sessions too)", async () => {
    const u = user();
    const s = session(u.id);
    await h.knex('monolith')('users').insert(u);
    await h.knex('monolith')('sessions').insert(s);
    await h.settle();
    await h.knex('monolith').transaction(async (trx) => {
      await trx('sessions').where({ user_id: u.id }).delete();
      await trx('users').where({ id: u.id }).delete();
    });
    await h.knex('service')('users').where({ id: u.id }).update({ name: 'Renamed meanwhile', updated_at: new Date() });
    await h.settle();
    for (const side of ['monolith', 'service'] as const) {
      expect(await h.knex(side)('users').where({ id: u.id }).first()).toBeUndefined();
      expect(await h.knex(side)('sessions').where({ user_id: u.id }).first()).toBeUndefined();
    }
    expect((await h.verify()).ok).toBe(true);
  });

  it('a password changed on each side is quarantined with both versions, never overwritten', async () => {
    const u = user();
    await h.knex('monolith')('users').insert(u);
    await h.settle();
    await h.knex('monolith')('users').where({ id: u.id }).update({ password_hash: 'c'.repeat(64), updated_at: new Date() });
    await h.knex('service')('credentials').where({ user_id: u.id }).update({ hash: 'd'.repeat(64), updated_at: new Date() });
    await h.settle();
    expect((await h.knex('monolith')('users').where({ id: u.id }).first()).password_hash).toBe('c'.repeat(64));
    expect((await h.knex('service')('credentials').where({ user_id: u.id }).first()).hash).toBe('d'.repeat(64));
    const open = await listQuarantine(h.knex('service'), 'auth', { open: true });
    expect(open).toMatchObject([{ mapping: 'users', key: [u.id], kind: 'conflict', source: { hash: 'c'.repeat(64) }, target: { hash: 'd'.repeat(64) } }]);
  });
});

