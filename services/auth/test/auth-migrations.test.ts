import { createDatabase } from '@strangler/kit';
import { createTestDatabase, testDialects } from '@strangler/kit/testing';
import { authMigrations, migrateLatest, rollbackAll } from '@strangler/migrations';
import { monolithUserToAuthRows, SHARED_PASSWORD_SCHEMES } from '@strangler/data-engine';
import { PASSWORD_SCHEMES } from '@strangler/auth-api';

const ALL = ['001-create-users', '002-create-credentials', '003-create-sessions', '004-create-email-claims', '005-index-sessions-revoked-at'];

describe.each(testDialects())('the auth database migrations on %s', (dialect) => {
  it('create users, credentials, sessions and email claims, tracked in their own table, and roll back to nothing', async () => {
    const testDb = await createTestDatabase(dialect);
    const db = createDatabase(testDb.url);
    try {
      expect(await migrateLatest(db.knex, authMigrations)).toEqual(ALL);
      for (const table of ['users', 'credentials', 'sessions', 'email_claims', 'knex_migrations_auth']) expect(await db.knex.schema.hasTable(table)).toBe(true);
      expect(await db.knex.schema.hasTable('knex_migrations_monolith')).toBe(false);
      expect(await migrateLatest(db.knex, authMigrations)).toEqual([]);

      expect(await rollbackAll(db.knex, authMigrations)).toEqual([...ALL].reverse());
      for (const table of ['users', 'credentials', 'sessions', 'email_claims']) expect(await db.knex.schema.hasTable(table)).toBe(false);
      expect(await migrateLatest(db.knex, authMigrations)).toHaveLength(ALL.length);
    } finally {
      await db.close();
      await testDb.drop();
    }
  });
});

describe('monolithUserToAuthRows', () => {
  it('maps a monolith users row to an auth user and a legacy-sha256 credential', () => {
    const row = {
      id: '6f1b4c1e-8a0e-4a36-9a53-0c8d1f0f6b11',
      email: ' Ada@Example.com ',
      name: 'Ada',
      password_hash: 'a'.repeat(64),
      password_salt: 'b'.repeat(32),
      created_at: 1_893_456_000_000, // SQLite gives epoch ms, MySQL a Date
      updated_at: new Date('2030-01-02T00:00:00.000Z'),
    };
    expect(monolithUserToAuthRows(row)).toEqual({
      user: {
        id: row.id,
        email: 'ada@example.com',
        name: 'Ada',
        created_at: new Date('2030-01-01T00:00:00.000Z'),
        updated_at: new Date('2030-01-02T00:00:00.000Z'),
      },
      credential: {
        user_id: row.id,
        scheme: 'legacy-sha256',
        hash: 'a'.repeat(64),
        salt: 'b'.repeat(32),
        params: null,
        updated_at: new Date('2030-01-02T00:00:00.000Z'),
      },
    });
  });
});

describe('the password schemes the sync may carry', () => {
  it('are exactly the schemes both sides verify (api/auth is their home)', () => {
    expect([...SHARED_PASSWORD_SCHEMES].sort()).toEqual([...PASSWORD_SCHEMES].sort());
  });
});
