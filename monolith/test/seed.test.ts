import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, decimalColumnToMinor, isCurrency, toDate, type Currency, type Database } from '@strangler/kit';
import { createTestDatabase, testDialects, type TestDatabase } from '@strangler/kit/testing';
import { migrateLatest, monolithMigrations } from '@strangler/migrations';
import { verifyLegacySha256 } from '@strangler/auth-api';
import { generatePayments, type SeedPayment } from '../src/seed/generate-payments';
import { generateUsers } from '../src/seed/generate-users';
import { splitAmount } from '../src/seed/random-amounts';
import { parseSeedArgs } from '../src/seed/seed-args';
import { runSeedCommand } from '../src/seed/seed-command';
import { seedDatabase } from '../src/seed/seed-database';
import { DAY_MS, PAYMENT_HISTORY_DAYS, type SeedPlan } from '../src/seed/seed-plan';
import { SeededRandom } from '../src/seed/seeded-random';

const NOW = new Date('2026-06-01T12:00:00.000Z');

function planOf(overrides: Partial<SeedPlan>): SeedPlan {
  return { users: 10, payments: 100, orders: 0, password: 'password123', seed: '42', runId: 'abcd0000', now: NOW, ...overrides };
}

function capture() {
  const output = { out: '', err: '' };
  return { output, io: { out: (text: string) => void (output.out += text), err: (text: string) => void (output.err += text) } };
}

describe.each(testDialects())('seedDatabase on %s', (dialect) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    db = createDatabase(testDb.url);
    await migrateLatest(db.knex, monolithMigrations);
  });

  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  const paymentsOfRun = (runId: string) =>
    db.knex('payments').join('users', 'users.id', 'payments.user_id').where('users.email', 'like', `seed-${runId}-%`).select('payments.*');

  it('writes the planned rows, with amounts consistent with each status', async () => {
    const plan = planOf({ users: 25, payments: 1_500, orders: 40, runId: 'run00001' });
    // Small statements and transactions push every table across several chunk and commit boundaries.
    const summary = await seedDatabase(db, plan, { inserter: { rowsPerStatement: 97, rowsPerTransaction: 700 } });

    const payments = await paymentsOfRun('run00001');
    const refunds = await db.knex('refunds').whereIn('payment_id', payments.map((p) => p.id));
    const orders = await db.knex('orders').join('users', 'users.id', 'orders.user_id').where('users.email', 'like', 'seed-run00001-%').select('orders.*');
    const items = await db.knex('order_items').whereIn('order_id', orders.map((o) => o.id));
    const [users] = await db.knex('users').where('email', 'like', 'seed-run00001-%').count({ n: '*' });
    expect(Number(users?.n)).toBe(25);
    expect(payments.filter((p) => p.order_id === null)).toHaveLength(1_500);
    expect(orders).toHaveLength(40);
    expect(summary.rows).toEqual({ users: 25, payments: payments.length, refunds: refunds.length, orders: 40, order_items: items.length });
    expect(summary.totalRows).toBe(25 + payments.length + refunds.length + 40 + items.length);

    const refundedByPayment = new Map<string, bigint>();
    const currencyOf = new Map(payments.map((p) => [p.id as string, p.currency as Currency]));
    for (const refund of refunds) {
      const minor = decimalColumnToMinor(refund.amount, currencyOf.get(refund.payment_id)!);
      expect(minor).toBeGreaterThan(0n);
      refundedByPayment.set(refund.payment_id, (refundedByPayment.get(refund.payment_id) ?? 0n) + minor);
    }
    for (const row of payments) {
      expect(isCurrency(row.currency)).toBe(true);
      // decimalColumnToMinor also rejects more decimals than the currency has (e.g. JPY cents).
      const amount = decimalColumnToMinor(row.amount, row.currency);
      const captured = decimalColumnToMinor(row.captured_amount, row.currency);
      const refunded = decimalColumnToMinor(row.refunded_amount, row.currency);
      expect(amount).toBeGreaterThan(0n);
      expect(refunded <= captured && captured <= amount).toBe(true);
      expect(refundedByPayment.get(row.id) ?? 0n).toBe(refunded);
      const expected = {
        AUTHORIZED: [0n, 0n],
        VOIDED: [0n, 0n],
        CAPTURED: [amount, 0n],
        REFUNDED: [amount, amount],
        PARTIALLY_REFUNDED: [amount, refunded],
      }[row.status as string];
      expect([captured, refunded]).toEqual(expected);
      if (row.status === 'PARTIALLY_REFUNDED') expect(refunded > 0n && refunded < captured).toBe(true);
      const createdAt = toDate(row.created_at).getTime();
      expect(createdAt).toBeGreaterThanOrEqual(NOW.getTime() - PAYMENT_HISTORY_DAYS * DAY_MS);
      expect(createdAt).toBeLessThanOrEqual(toDate(row.updated_at).getTime());
      expect(toDate(row.updated_at).getTime()).toBeLessThanOrEqual(NOW.getTime());
    }
    expect(new Set(payments.map((p) => p.status))).toEqual(new Set(['AUTHORIZED', 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'VOIDED']));
    expect([...new Set(payments.map((p) => p.currency))]).toEqual(expect.arrayContaining(['USD', 'EUR', 'GBP', 'JPY']));
    expect(payments.some((p) => p.description === null) && payments.some((p) => p.description !== null)).toBe(true);

    const paymentsById = new Map(payments.map((p) => [p.id as string, p]));
    for (const order of orders) {
      const total = items
        .filter((item) => item.order_id === order.id)
        .reduce((sum, item) => sum + decimalColumnToMinor(item.unit_price, order.currency) * BigInt(item.quantity), 0n);
      expect(decimalColumnToMinor(order.total, order.currency)).toBe(total);
      if (order.status === 'PAID') {
        const payment = paymentsById.get(order.payment_id)!;
        expect(payment).toMatchObject({ order_id: order.id, status: 'CAPTURED', currency: order.currency, user_id: order.user_id });
        expect(decimalColumnToMinor(payment.amount, payment.currency)).toBe(total);
      } else {
        expect(order.payment_id).toBeNull();
      }
    }
  });

  it('stores users who can log in with the shared password, names intact', async () => {
    const plan = planOf({ users: 30, payments: 0, runId: 'run00002', password: 'correct horse' });
    const summary = await seedDatabase(db, plan);
    expect(summary.exampleEmail).toBe('seed-run00002-1@example.com');

    const user = await db.knex('users').where({ email: summary.exampleEmail }).first();
    expect(verifyLegacySha256('correct horse', { hash: user.password_hash, salt: user.password_salt })).toBe(true);
    expect(verifyLegacySha256('password123', { hash: user.password_hash, salt: user.password_salt })).toBe(false);

    const stored = await db.knex('users').where('email', 'like', 'seed-run00002-%').select('email', 'name', 'password_salt');
    const generated = [...generateUsers(plan, new SeededRandom('42').derive('users'), new SeededRandom('x'))];
    expect(new Map(stored.map((u) => [u.email, u.name]))).toEqual(new Map(generated.map((u) => [u.email, u.name])));
    expect(new Set(stored.map((u) => u.password_salt)).size).toBe(30);
  });

  it('can run again with the same seed: new ids and emails, no collisions', async () => {
    await seedDatabase(db, planOf({ runId: 'run00003' }));
    await seedDatabase(db, planOf({ runId: 'run00004' }));
    expect(await paymentsOfRun('run00003')).toHaveLength(100);
    expect(await paymentsOfRun('run00004')).toHaveLength(100);
  });
});

describe('seed generation', () => {
  const owners = { ids: ['u1', 'u2', 'u3'], createdAtMs: [0, 0, NOW.getTime() - DAY_MS] };
  const paymentsFor = (plan: SeedPlan): SeedPayment[] => [
    ...generatePayments(plan, owners, new SeededRandom(plan.seed).derive('payments'), new SeededRandom(`${plan.seed}/${plan.runId}`)),
  ];

  it('is deterministic for a seed and differs between seeds', () => {
    const plan = planOf({ payments: 300 });
    expect(paymentsFor(plan)).toEqual(paymentsFor(plan));
    expect(paymentsFor(planOf({ payments: 300, seed: '43' }))).not.toEqual(paymentsFor(plan));
  });

  it('keeps the data of a seed across runs while ids change', () => {
    const strip = (p: SeedPayment) => ({ ...p, id: '', refunds: p.refunds.map((r) => ({ ...r, id: '', paymentId: '' })) });
    const first = paymentsFor(planOf({ runId: 'aaaa' }));
    const second = paymentsFor(planOf({ runId: 'bbbb' }));
    expect(second.map(strip)).toEqual(first.map(strip));
    expect(second.map((p) => p.id)).not.toEqual(first.map((p) => p.id));
  });

  it('never dates a payment before its user signed up', () => {
    // u3 signed up a day ago, well inside the payment history: a generator that ignored sign-up
    // dates would date most of u3's payments before it.
    const payments = paymentsFor(planOf({ payments: 500 }));
    const signedUp = new Map(owners.ids.map((id, i) => [id, owners.createdAtMs[i]!]));
    const early = payments.filter((payment) => payment.createdAt.getTime() < signedUp.get(payment.userId)!);
    expect(early).toEqual([]);
    expect(payments.filter((payment) => payment.userId === 'u3').length).toBeGreaterThan(0);
    expect(signedUp.get('u3')).toBe(NOW.getTime() - DAY_MS);
  });

  it('splits a refund into positive parts that add up', () => {
    const random = new SeededRandom('split');
    for (const [total, parts] of [[1n, 3], [2n, 2], [1000n, 3], [99n, 1]] as const) {
      const amounts = splitAmount(random, total, parts);
      expect(amounts.every((a) => a > 0n)).toBe(true);
      expect(amounts.reduce((s, a) => s + a, 0n)).toBe(total);
    }
  });
});

describe('seed command line', () => {
  it('has sensible defaults', () => {
    expect(parseSeedArgs([])).toEqual({ kind: 'run', options: { users: 10, payments: 100, orders: 0, password: 'password123', seed: undefined } });
    expect(parseSeedArgs(['--users', '3', '--payments=0', '--orders', '2', '--seed=-007', '--password', 'hunter2hunter2'])).toEqual({
      kind: 'run',
      options: { users: 3, payments: 0, orders: 2, password: 'hunter2hunter2', seed: '-7' },
    });
    expect(parseSeedArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--users', '-1']],
    [['--users', '1.5']],
    [['--users', 'ten']],
    [['--users', '1000001']],
    [['--payments', '10000001']],
    [['--users', '0', '--payments', '5']],
    [['--users', '0', '--payments', '0', '--orders', '1']],
    [['--password', 'short']],
    [['--seed', '1e3']],
    [['--seed', '99999999999999999999']],
    [['--users']],
    [['--bogus']],
    [['positional']],
  ])('rejects %j', (argv) => {
    expect(parseSeedArgs(argv)).toEqual({ kind: 'error', message: expect.any(String) });
  });

  it('exits 2 with the usage on stderr for bad arguments', async () => {
    const { output, io } = capture();
    await expect(runSeedCommand(['--payments', 'lots'], {}, io)).resolves.toBe(2);
    expect(output.err).toMatch(/--payments must be a whole number/);
    expect(output.err).toMatch(/Usage: npm run seed/);
    expect(output.out).toBe('');
  });

  it('exits 1 with a clear message when the database is unreachable', async () => {
    const { output, io } = capture();
    await expect(runSeedCommand([], { DATABASE_URL: 'mysql://root:secret@127.0.0.1:1/nowhere' }, io)).resolves.toBe(1);
    expect(output.err).toMatch(/cannot reach the database at mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/nowhere/);
  });

  it('migrates and seeds a fresh SQLite database end to end', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seed-cli-'));
    try {
      const { output, io } = capture();
      await expect(runSeedCommand(['--users', '3', '--payments', '20', '--orders', '2'], { DATABASE_URL: path.join(dir, 'm.sqlite') }, io)).resolves.toBe(0);
      expect(output.out).toMatch(/migrations applied: 001-create-users/);
      expect(output.out).toMatch(/seed: wrote \d+ rows in [\d.]+ s \([\d,]+ rows\/s\)/);
      expect(output.out).toMatch(/logs in with "password123", e\.g\. seed-[0-9a-f]{8}-1@example\.com/);
      expect(output.err).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('seeded data through the monolith API', () => {
  it('lets a seeded user log in and read every seeded payment and order', async () => {
    const { createLogger, listen } = await import('@strangler/kit');
    const { httpClient } = await import('@strangler/kit/testing');
    const { buildMonolithApp } = await import('../src/app');
    const testDb = await createTestDatabase('sqlite');
    const db = createDatabase(testDb.url);
    await migrateLatest(db.knex, monolithMigrations);
    await seedDatabase(db, planOf({ users: 2, payments: 60, orders: 30, runId: 'apirun01' }));
    const server = await listen(buildMonolithApp({ db, logger: createLogger({ name: 't', level: 'silent' }), sessionTtlMs: 60_000 }), 0, '127.0.0.1');
    try {
      const api = httpClient(server.url);
      for (const user of await db.knex('users').where('email', 'like', 'seed-apirun01-%')) {
        const login = await api.post('/api/auth/login', { email: user.email, password: 'password123' });
        expect(login.status).toBe(200);
        const token = login.body.token as string;
        const payments = await api.get('/api/payments?limit=100', { token });
        const orders = await api.get('/api/orders?limit=100', { token });
        expect(payments.status).toBe(200);
        expect(orders.status).toBe(200);
        for (const order of orders.body.orders) expect(['pending', 'paid']).toContain(order.status);
      }
    } finally {
      await server.close(500);
      await db.close();
      await testDb.drop();
    }
  });
});
