import { randomUUID } from 'node:crypto';
import { createDatabase, hashToken, type Clock, type Database } from '@strangler/kit';
import { createTestDatabase, type TestDatabase } from '@strangler/kit/testing';
import { authMigrations, migrateLatest } from '@strangler/migrations';
import { EmailClaimRepository, newSession, SessionRepository } from '../src';

/** The API module's session and email-claim repositories on the auth service's schema, in a real SQLite database. */
let testDb: TestDatabase;
let db: Database;
let now = new Date('2026-06-01T12:00:00.000Z');
const clock: Clock = { now: () => now };

beforeAll(async () => {
  testDb = await createTestDatabase('sqlite');
  db = createDatabase(testDb.url);
  await migrateLatest(db.knex, authMigrations);
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

async function newUser(): Promise<{ id: string; email: string }> {
  const user = { id: randomUUID(), email: `u-${randomUUID()}@example.com` };
  await db.knex('users').insert({ ...user, name: 'U', created_at: now, updated_at: now });
  return user;
}

describe('SessionRepository', () => {
  it('stores only the token\'s hash and answers active, then ended after logout or expiry', async () => {
    const sessions = new SessionRepository(db.knex, clock);
    const user = await newUser();
    const { token, record } = newSession(user.id, clock, 60_000);
    await sessions.insert(record);
    expect(await db.knex('sessions').where({ token_hash: token }).first()).toBeUndefined();
    expect(await sessions.lookup(hashToken(token))).toMatchObject({ state: 'active', user: { id: user.id, email: user.email }, expiresAt: '2026-06-01T12:01:00.000Z' });

    const other = newSession(user.id, clock, 60_000);
    await sessions.insert(other.record);
    expect(await sessions.revoke(other.record.tokenHash)).toBe(true);
    expect(await sessions.lookup(other.record.tokenHash)).toEqual({ state: 'ended' });
    expect((await sessions.revokedSince(new Date(now.getTime() - 1))).tokenHashes).toContain(other.record.tokenHash);

    now = new Date(now.getTime() + 60_000);
    expect(await sessions.lookup(hashToken(token))).toEqual({ state: 'ended' });
    expect(await sessions.lookup(hashToken('never issued'))).toEqual({ state: 'unknown' });
    expect(await sessions.revoke(hashToken('never issued'))).toBe(false);
  });
});

describe('EmailClaimRepository', () => {
  it('grants one claim per email, refuses an email a user has, and frees a claim when confirmed', async () => {
    const claims = new EmailClaimRepository(db.knex, clock);
    const email = `c-${randomUUID()}@example.com`;
    const [first, second] = [randomUUID(), randomUUID()].sort();
    expect(await claims.claim(email, second!, 'local', 30_000)).toBe('granted');
    expect(await claims.claim(email, randomUUID().replace(/^./, 'f'), 'peer', 30_000)).not.toBe('granted');
    expect(await claims.confirm(email, second!)).toBe(true);
    expect(await claims.confirm(email, second!)).toBe(false);
    expect(await claims.claim(email, first!, 'local', 30_000)).toBe('granted');
    await claims.release(email, first!);

    const user = await newUser();
    expect(await claims.claim(user.email, randomUUID(), 'local', 30_000)).toBe('taken');
    expect(await db.knex('email_claims').where({ email: user.email }).first()).toBeUndefined();
  });
});
