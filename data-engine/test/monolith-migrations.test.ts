import { createDatabase } from '@strangler/kit';
import { createTestDatabase, testDialects } from '@strangler/kit/testing';
import { migrateLatest, migratorConfig, monolithMigrations, rollbackAll } from '@strangler/migrations';
import { captureState, installCapture, removeCapture } from '../src/data/capture/capture-installer';
import { shippedCapability } from './support/shipped-capabilities';

const paymentsCapability = shippedCapability('payments');

jest.setTimeout(60_000);

describe.each(testDialects())('the monolith password-scheme migrations on %s', (dialect) => {
  it('add the scheme (legacy by default) and params, keep capture triggers, and roll back to nothing', async () => {
    const testDb = await createTestDatabase(dialect);
    const db = createDatabase(testDb.url);
    try {
      const applied = await migrateLatest(db.knex, monolithMigrations);
      expect(applied.slice(7, 11)).toEqual(['008-add-users-password-scheme', '009-add-users-password-params', '010-widen-users-password-hash', '011-widen-users-password-salt']);
      const later = applied.length - 11;
      await db.knex('users').insert({ id: 'u1', email: 'a@b.c', name: 'A', password_hash: 'h'.repeat(64), password_salt: 's'.repeat(32), created_at: new Date(), updated_at: new Date() });
      expect(await db.knex('users').where({ id: 'u1' }).first()).toMatchObject({ password_scheme: 'legacy-sha256', password_params: null });
      await db.knex('users').where({ id: 'u1' }).update({ password_hash: 'x'.repeat(200), password_salt: 'y'.repeat(64) });

      await installCapture(db.knex, paymentsCapability, 'monolith');
      // Rolling the scheme columns back leaves capture on the other tables intact (native DROP COLUMN).
      await db.knex('users').where({ id: 'u1' }).update({ password_hash: 'h'.repeat(64), password_salt: 's'.repeat(32) });
      for (let i = 0; i < later + 4; i++) await db.knex.migrate.down(migratorConfig(monolithMigrations));
      expect(await db.knex.schema.hasColumn('users', 'password_scheme')).toBe(false);
      expect((await captureState(db.knex, paymentsCapability, 'monolith')).installed).toBe(true);
      expect(await migrateLatest(db.knex, monolithMigrations)).toHaveLength(later + 4);
      await removeCapture(db.knex, paymentsCapability, { force: true });
      expect(await rollbackAll(db.knex, monolithMigrations)).toHaveLength(applied.length);
      expect(await db.knex.schema.hasTable('users')).toBe(false);
    } finally {
      await db.close();
      await testDb.drop();
    }
  });
});
