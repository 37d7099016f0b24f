import { createDatabase } from '@strangler/kit';
import { createTestDatabase } from '@strangler/kit/testing';
import { migrateLatest, rollbackAll, paymentsMigrations } from '@strangler/migrations';
it.each(['sqlite', 'mysql'] as const)('migrates %s', async (dialect) => {
  const t = await createTestDatabase(dialect);
  const db = createDatabase(t.url);
  try {
    console.log(await migrateLatest(db.knex, paymentsMigrations));
    const id = '00000000-0000-4000-8000-000000000001';
    await db.knex('payments').insert({ id, user_id: id, amount_minor: 999999999999999n, currency: 'KWD', status: 'authorized', captured_minor: 0n, refunded_minor: 0n, created_at: new Date(), updated_at: new Date() });
    console.log(await db.knex('payments').first());
    await expect(db.knex('payments').insert({ id: id.replace('1', '2'), user_id: id, amount_minor: 5n, currency: 'KWD', status: 'AUTHORIZED', created_at: new Date(), updated_at: new Date() })).rejects.toThrow();
    await expect(db.knex('payments').where({ id }).update({ refunded_minor: 1n })).rejects.toThrow();
    if (dialect === 'mysql') console.log((await db.knex.raw('show create table payments'))[0][0]['Create Table']);
    console.log(await rollbackAll(db.knex, paymentsMigrations));
  } finally { await db.close(); await t.drop(); }
});
