import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@strangler/kit';
import { testDialects } from '@strangler/kit/testing';
import { runDataCommand, type DataIo } from '../src/cli/data-command';
import { engineTransaction } from '../src/data/engine-transaction';
import { shippedMapping } from './support/shipped-capabilities';
import { listQuarantine } from '../src/data/quarantine/quarantine-store';
import { capabilityStatus, describeBlockers } from '../src/data/status';
import { startSyncService } from '../src/data/sync/sync-service';
import { createHarness, waitFor, type Harness } from './support/data-harness';
import { insertMonolithPayments, monolithPayment, toServiceShape } from './support/payment-rows';

const paymentsMapping = shippedMapping('payments', 'payments');

jest.setTimeout(90_000);

async function run(argv: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const io: DataIo = { out: (t) => (out += t), err: (t) => (err += t), interactive: false, process: new EventEmitter() as unknown as DataIo['process'] };
  const code = await runDataCommand(argv, { ...env, LOG_LEVEL: 'silent' }, io);
  return { code, out, err };
}

const count = async (h: Harness, side: 'monolith' | 'service', table = 'payments') => Number((await h.knex(side)(table).count({ n: '*' }))[0]?.n);

describe.each(testDialects())('the quarantine (payments), on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
    await h.installCapture();
  });
  afterEach(async () => h?.close());

  it.each([
    ['a legacy status', { status: 'CHARGEBACK' }, /unknown monolith status "CHARGEBACK"/],
    ['a third decimal of USD', { currency: 'USD', amount: '10.005' }, /amount 10.005 that USD cannot hold exactly/],
  ])('a target row the mapping cannot read (%s) is never overwritten; both versions are kept for the operator', async (_name, legacy, why) => {
    const row = monolithPayment({ currency: 'USD', amount: '10.00', captured_amount: '0.00', refunded_amount: '0.00' });
    await h.knex('monolith')('payments').insert(row);
    await h.settle();
    // A legacy job on the monolith writes what the mapping cannot carry...
    await h.knex('monolith')('payments').where({ id: row.id }).update(legacy);
    // ...and the service changes the same payment.
    await h.knex('service')('payments').where({ id: row.id }).update({ description: 'changed on the service', updated_at: new Date(Date.now() + 60_000) });
    await h.settle();
    const monolithRow = await h.knex('monolith')('payments').where({ id: row.id }).first();
    expect(monolithRow).toMatchObject(Object.fromEntries(Object.entries(legacy).map(([k, v]) => [k, k === 'amount' && dialect === 'sqlite' ? Number(v) : v])));
    expect(monolithRow.description).toBe(row.description);
    const open = [...(await listQuarantine(h.knex('monolith'), 'payments', { open: true })), ...(await listQuarantine(h.knex('service'), 'payments', { open: true }))];
    expect(open.map((q) => [q.direction, q.kind]).sort()).toEqual([
      ['to-monolith', 'unreadable-target'],
      ['to-service', 'invalid-source'],
    ]);
    const unreadable = open.find((q) => q.kind === 'unreadable-target');
    expect(unreadable?.reason).toMatch(why);
    expect(unreadable?.reason).toMatch(/it is never overwritten: correct it on the monolith/);
    expect(unreadable?.source).toMatchObject({ description: 'changed on the service' });
    expect(unreadable?.target).toMatchObject({ id: row.id });
    // Nothing stuck: the lag is 0, and status shows the quarantine apart from it.
    expect(await h.pending('monolith')).toBe(0);
    expect(await h.pending('service')).toBe(0);
    const status = await capabilityStatus(h.capability, h.knex('monolith'), h.knex('service'));
    expect(status.quarantine['to-monolith'].byKind).toEqual({ 'unreadable-target': 1 });
    expect(describeBlockers(status, 'to-monolith')).toMatch(new RegExp(`^1 row\\(s\\) quarantined, first payments \\["${String(row.id)}"\\] \\(unreadable-target: `));
    // Both sides changed it since they agreed: the operator corrects the monolith to the version
    // to keep; the sides agree again and the entries close.
    const kept = paymentsMapping.toMonolith(await h.knex('service')('payments').where({ id: row.id }).first());
    await h.knex('monolith')('payments').where({ id: row.id }).update(kept);
    await h.settle();
    expect(await listQuarantine(h.knex('monolith'), 'payments', { open: true })).toEqual([]);
    expect(await listQuarantine(h.knex('service'), 'payments', { open: true })).toEqual([]);
    expect((await h.verify()).ok).toBe(true);
  });

  it('backfill: a legacy row breaking the service\'s rules stops it, named in one short sentence; --quarantine sets it aside and goes on', async () => {
    const ids = (await insertMonolithPayments(h.knex('monolith'), 300, { currency: 'KWD', amount: '10.000', captured_amount: '10.000', refunded_amount: '0.000', status: 'CAPTURED' })).sort();
    const bad = ids[150] as string;
    await h.knex('monolith')('payments').where({ id: bad }).update({ refunded_amount: '15.000', status: 'PARTIALLY_REFUNDED' });
    const args = ['backfill', 'payments', '--mapping', 'payments', '--chunk-size', '100', '--json'];
    const stopped = await run(args, h.env);
    expect(stopped.code).toBe(1);
    const message = stopped.err.trim();
    expect(message).toBe(
      `data: cannot migrate payments ["${bad}"]: cannot be carried from the monolith to the service: payment ${bad} has refunded 15.000 KWD outside 0 … captured 10.000 KWD (--quarantine sets such rows aside and goes on)`,
    );
    expect(message.length).toBeLessThan(400);
    expect(await count(h, 'service')).toBe(100);
    // Every rerun stops there too (no way past without a decision) …
    expect((await run(args, h.env)).code).toBe(1);
    // … until the operator says to set such rows aside.
    const aside = await run([...args, '--quarantine'], h.env);
    expect(aside.code).toBe(0);
    const report = JSON.parse(aside.out);
    expect(report.mappings[0]).toMatchObject({ status: 'done', counts: { inserted: 199, quarantined: 1 }, quarantined: [{ key: [bad], kind: 'invalid-source' }] });
    expect(await count(h, 'service')).toBe(299);
    const listed = await run(['quarantine', 'list', 'payments'], h.env);
    expect(listed.out).toContain(`to-service payments ["${bad}"] — invalid-source`);
    expect(listed.out).toContain('refunded 15.000 KWD outside 0 … captured 10.000 KWD');
    const status = await run(['status', 'payments'], h.env);
    expect(status.out).toMatch(/quarantine to-service: 1 OPEN \(invalid-source 1\)/);
    // Apart from the lag: the backlog (the sync's, never run here) is its own line.
    expect(status.out).toMatch(/capture on the monolith: installed, 301 change\(s\) waiting, oldest [\d.]+s old \(payments \[/);
  });

  it('backfill --quarantine: a row the target database refuses is found by splitting the chunk, set aside, and the rest is written', async () => {
    // The service refuses what its schema refuses (here a description over its 500 characters on
    // MySQL; SQLite enforces no length, so a NOT NULL the transform does not know stands in).
    const ids = (await insertMonolithPayments(h.knex('monolith'), 64)).sort();
    const bad = ids[37] as string;
    if (dialect === 'mysql') await h.knex('service').raw('alter table payments modify description varchar(10) null');
    else await h.knex('service').raw(`create trigger refuse_one before insert on payments when new.id = '${bad}' begin select raise(abort, 'CHECK constraint failed: test'); end`);
    await h.knex('monolith')('payments').where({ id: bad }).update({ description: 'a description longer than ten' });
    await h.knex('monolith')('payments').whereNot({ id: bad }).update({ description: 'short' });
    const report = await h.backfill('to-service', { mappings: ['payments'], initialChunkSize: 64, minChunkSize: 64, quarantine: true });
    expect(report.mappings[0]?.counts).toMatchObject({ inserted: 63, quarantined: 1 });
    expect(report.mappings[0]?.quarantined).toEqual([{ key: [bad], kind: 'refused-by-target', reason: expect.stringMatching(/^the service database refused it: /) }]);
    expect((report.mappings[0]?.quarantined[0]?.reason ?? '').length).toBeLessThan(300);
    expect(await count(h, 'service')).toBe(63);
  });

  it('--dry-run counts only the mapping\'s own rows; parents pulled in are reported apart', async () => {
    const rows = Array.from({ length: 5 }, () => monolithPayment({ currency: 'USD', amount: '5.00', captured_amount: '5.00', refunded_amount: '5.00', status: 'REFUNDED' }));
    await h.knex('monolith')('payments').insert(rows);
    await h.knex('monolith')('refunds').insert(rows.map((p) => ({ id: randomUUID(), payment_id: p.id, amount: '5.00', created_at: new Date() })));
    const report = await h.backfill('to-service', { mappings: ['refunds'], dryRun: true });
    expect(report.mappings).toHaveLength(1);
    expect(report.mappings[0]?.counts).toMatchObject({ inserted: 5, pulledIn: 5 });
    const human = await run(['backfill', 'payments', '--mapping', 'refunds', '--dry-run'], h.env);
    expect(human.out).toMatch(/refunds: .* would be inserted 5, .*; plus 5 parent row\(s\) of other mappings pulled in, not counted above/);
  });

  it('a worker that cannot make progress is not ready, and says on what; it is again once it can', async () => {
    const [id] = await insertMonolithPayments(h.knex('monolith'), 1);
    await h.settle();
    const service = await startSyncService({ capability: h.capability, directions: ['to-service'], urls: h.urls, port: 0, host: '127.0.0.1', pollMs: 10, stallMs: 500, logger: createLogger({ name: 'sync', level: 'silent' }) });
    const blocker = h.connect('service');
    let release: () => void = () => undefined;
    try {
      await waitFor('ready', async () => (await fetch(`${service.url}/health/ready`)).status === 200);
      // Something holds the target's row (or, on SQLite, its write lock) and will not let go.
      const held = new Promise<void>((resolve) => (release = resolve));
      const holding = blocker.transaction(async (trx) => {
        await trx('payments').where({ id }).forUpdate().first();
        if (dialect === 'sqlite') await trx('sync_checkpoints').where({ name: 'none' }).delete();
        await held;
      });
      await h.knex('monolith')('payments').where({ id }).update({ description: 'waiting for a lock' });
      const answer = await waitFor('not ready', async () => {
        const response = await fetch(`${service.url}/health/ready`);
        return response.status === 503 ? response.text() : undefined;
      }, 20_000, 100);
      expect(JSON.parse(answer).checks).toMatchObject({ 'to-service:progress': 'failing', 'to-service:target': 'ok' });
      release();
      await holding;
      await waitFor('ready again', async () => (await fetch(`${service.url}/health/ready`)).status === 200, 30_000, 100);
      await waitFor('the change carried', async () => (await h.knex('service')('payments').where({ id }).first())?.description === 'waiting for a lock', 30_000, 100);
    } finally {
      release();
      await service.stop(1_000);
    }
  });

  it('a paused worker is not ready once it has been paused past the bound', async () => {
    const service = await startSyncService({ capability: h.capability, directions: ['to-service'], urls: h.urls, port: 0, host: '127.0.0.1', pollMs: 10, stallMs: 300, logger: createLogger({ name: 'sync', level: 'silent' }) });
    try {
      await waitFor('ready', async () => (await fetch(`${service.url}/health/ready`)).status === 200);
      service.control.pause();
      const answer = await waitFor('not ready', async () => {
        const response = await fetch(`${service.url}/health/ready`);
        return response.status === 503 ? response.text() : undefined;
      }, 10_000, 100);
      expect(JSON.parse(answer).checks).toMatchObject({ 'to-service:progress': 'failing' });
      expect(service.workers[0]?.progress.describe().detail).toMatch(/^no progress for \d+ s: paused \(SIGUSR2 or removing the pause file resumes it\)$/);
      service.control.resume();
      await waitFor('ready again', async () => (await fetch(`${service.url}/health/ready`)).status === 200, 10_000, 100);
    } finally {
      await service.stop(1_000);
    }
  });

  it('an entity the sync sets aside is retried, and carried once its parent is there', async () => {
    // A refund whose payment is deleted on the target: it waits; the payment comes back; it is carried.
    const payment = monolithPayment({ status: 'REFUNDED', currency: 'USD', amount: '3.00', captured_amount: '3.00', refunded_amount: '3.00' });
    await h.knex('monolith')('payments').insert(payment);
    await h.settle();
    await engineTransaction(h.knex('service'), (trx) => trx('payments').where({ id: payment.id }).delete());
    const refund = { id: randomUUID(), payment_id: payment.id, amount: '3.00', created_at: new Date() };
    await h.knex('monolith')('refunds').insert(refund);
    await (await h.worker('to-service')).drain();
    expect(await listQuarantine(h.knex('service'), 'payments', { open: true })).toMatchObject([{ mapping: 'refunds', key: [refund.id], kind: 'parent-missing' }]);
    await engineTransaction(h.knex('service'), (trx) => trx('payments').insert(toServiceShape(payment)));
    await (await h.worker('to-service')).drain();
    expect(await h.knex('service')('refunds').where({ id: refund.id }).first()).toBeTruthy();
    expect(await listQuarantine(h.knex('service'), 'payments', { open: true })).toEqual([]);
  });
});

describe.each(testDialects())('the quarantine (auth: one email on both sides), on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'auth');
    await h.installCapture();
  });
  afterEach(async () => h?.close());

  const user = (email: string) => ({
    id: randomUUID(),
    email,
    name: 'Same',
    password_hash: 'a'.repeat(64),
    password_salt: 'b'.repeat(32),
    password_scheme: 'legacy-sha256',
    password_params: null,
    created_at: new Date(),
    updated_at: new Date(),
  });

  it('two registrations of one email within the lag never jam the sync: both set aside, everything else flows, verify names it', async () => {
    const email = `same-${randomUUID()}@example.com`;
    const onMonolith = user(email);
    const onService = user(email);
    await h.knex('monolith')('users').insert(onMonolith);
    await h.knex('service')('users').insert({ id: onService.id, email, name: 'Same', created_at: onService.created_at, updated_at: onService.updated_at });
    await h.knex('service')('credentials').insert({ user_id: onService.id, scheme: 'scrypt', hash: 'c'.repeat(64), salt: 'd'.repeat(32), params: 'N=1024,r=8,p=1', updated_at: onService.updated_at });
    // Each logs in on their side; other users keep registering.
    const sessions = [
      { token_hash: 'e'.repeat(64), user_id: onMonolith.id, created_at: new Date(), expires_at: new Date(Date.now() + 3_600_000), revoked_at: null },
    ];
    await h.knex('monolith')('sessions').insert(sessions);
    const bystander = user(`other-${randomUUID()}@example.com`);
    await h.knex('monolith')('users').insert(bystander);
    await h.settle();

    expect(await h.pending('monolith')).toBe(0);
    expect(await h.pending('service')).toBe(0);
    expect(await h.knex('service')('users').where({ id: bystander.id }).first()).toBeTruthy();
    const open = [...(await listQuarantine(h.knex('service'), 'auth', { open: true })), ...(await listQuarantine(h.knex('monolith'), 'auth', { open: true }))];
    expect(open.map((q) => [q.direction, q.mapping, q.kind]).sort()).toEqual([
      ['to-monolith', 'users', 'refused-by-target'],
      ['to-service', 'sessions', 'parent-missing'],
      ['to-service', 'users', 'refused-by-target'],
    ]);
    expect(open.find((q) => q.direction === 'to-service' && q.mapping === 'users')?.reason).toMatch(new RegExp(`^the service database refused it: ${email} is already user ${onService.id} there, not ${onMonolith.id} \\(one email registered on each side`));
    const report = await h.verify();
    expect(report.ok).toBe(false);
    expect(report.invariants.find((i) => i.name === 'one-user-per-email-across-sides')?.samples[0]?.detail).toMatch(new RegExp(`${email} is user .* on the (monolith|service) and user .* on the (monolith|service)`));
  });
});
