import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '@strangler/kit';
import { createTestDatabase, testDialects, type TestDatabase } from '@strangler/kit/testing';
import { DATABASES, migrateLatest, paymentsMigrations, rollbackAll } from '@strangler/migrations';

/** Which constraint refused a write, on either database. */
async function refusal(write: PromiseLike<unknown>): Promise<string> {
  try {
    await write;
  } catch (error) {
    const { code, errno } = error as { code?: string; errno?: number };
    // MariaDB reports a failed CHECK as errno 4025, MySQL as 3819 (mysql2 names 4025 after MySQL's meaning).
    if (code === 'SQLITE_CONSTRAINT_CHECK' || errno === 4025 || errno === 3819) return 'check';
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'ER_DUP_ENTRY') return 'unique';
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === 'ER_NO_REFERENCED_ROW_2') return 'foreign key';
    return `other: ${String(code)} ${String(errno)}`;
  }
  throw new Error('the write was accepted');
}

describe.each(testDialects())('payments service schema on %s', (dialect) => {
  let testDb: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    db = createDatabase(testDb.url);
    await migrateLatest(db.knex, paymentsMigrations);
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const now = new Date('2026-05-06T07:08:09.123Z');
  const payment = (overrides: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    user_id: randomUUID(),
    order_id: null,
    amount_minor: '1999',
    currency: 'USD',
    status: 'captured',
    description: null,
    captured_minor: '1999',
    refunded_minor: '0',
    created_at: now,
    updated_at: now,
    ...overrides,
  });

  it('is listed with its own migrations table and default database', () => {
    expect(DATABASES.find((entry) => entry.set === paymentsMigrations)).toEqual({
      set: paymentsMigrations,
      urlVariable: 'PAYMENTS_DATABASE_URL',
      defaultUrl: '.data/payments.sqlite',
    });
    expect(paymentsMigrations.tableName).toBe('knex_migrations_payments');
  });

  it('rolls back table by table and migrates again, in its own migrations table', async () => {
    const tables = ['payments', 'refunds', 'idempotency_keys'];
    for (const table of tables) expect(await db.knex.schema.hasTable(table)).toBe(true);
    expect(await db.knex.schema.hasTable('knex_migrations_payments')).toBe(true);
    expect(await rollbackAll(db.knex, paymentsMigrations)).toEqual(['003-create-idempotency-keys', '002-create-refunds', '001-create-payments']);
    for (const table of tables) expect(await db.knex.schema.hasTable(table)).toBe(false);
    expect(await migrateLatest(db.knex, paymentsMigrations)).toEqual(['001-create-payments', '002-create-refunds', '003-create-idempotency-keys']);
    for (const table of tables) expect(await db.knex.schema.hasTable(table)).toBe(true);
  });

  it('stores money as BIGINT minor units, never DECIMAL or float', async () => {
    if (dialect !== 'mysql') return;
    const [columns] = await db.knex.raw(
      `select column_name as name, data_type as type from information_schema.columns where table_schema = database() and table_name in ('payments', 'refunds') and column_name like '%minor'`,
    );
    expect(columns.map((c: { name: string; type: string }) => c.type)).toEqual(['bigint', 'bigint', 'bigint', 'bigint']);
  });

  it('holds the largest amounts exactly', async () => {
    const big = payment({ amount_minor: '999999999999999', captured_minor: '999999999999999', refunded_minor: '999999999999998', currency: 'KWD' });
    await db.knex('payments').insert(big);
    const row = await db.knex('payments').where({ id: big.id }).first();
    expect([row.amount_minor, row.refunded_minor].map((v: unknown) => BigInt(String(v)))).toEqual([999999999999999n, 999999999999998n]);
  });

  it.each([
    ['an uppercase status', { status: 'CAPTURED' }],
    ['an unknown status', { status: 'pending' }],
    ['a zero amount', { amount_minor: '0', captured_minor: '0' }],
    ['a capture above the amount', { captured_minor: '2000' }],
    ['refunds above the capture', { refunded_minor: '2000' }],
    ['negative refunds', { refunded_minor: '-1' }],
  ])('refuses %s, whatever the code above it does', async (_case, overrides) => {
    expect(await refusal(db.knex('payments').insert(payment(overrides)))).toBe('check');
  });

  it('refuses a refund of nothing or of an unknown payment', async () => {
    const existing = payment();
    await db.knex('payments').insert(existing);
    const refund = { id: randomUUID(), payment_id: existing.id, amount_minor: '1', created_at: now };
    await db.knex('refunds').insert(refund);
    expect(await refusal(db.knex('refunds').insert({ ...refund, id: randomUUID(), amount_minor: '0' }))).toBe('check');
    expect(await refusal(db.knex('refunds').insert({ ...refund, id: randomUUID(), payment_id: randomUUID() }))).toBe('foreign key');
  });

  it('keeps one idempotency key per user', async () => {
    const key = { user_id: randomUUID(), key_hash: 'a'.repeat(64), request_fingerprint: 'b'.repeat(64), response_status: 201, response_body: '{}', created_at: now };
    await db.knex('idempotency_keys').insert(key);
    expect(await refusal(db.knex('idempotency_keys').insert(key))).toBe('unique');
    await db.knex('idempotency_keys').insert({ ...key, user_id: randomUUID() });
  });
});
