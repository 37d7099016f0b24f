import { randomUUID } from 'node:crypto';
import { createHttpApp, createLogger, INTERNAL_TOKEN_HEADER, systemClock } from '@strangler/kit';
import { newInternalToken, startOnTestDatabase, type RunningTestApp } from '@strangler/kit/testing';
import { authMigrations, migrateLatest } from '@strangler/migrations';
import { DEFAULT_LOGIN_THROTTLE_LIMITS, EmailClaimRepository, internalAuthRoutes, LoginThrottle, newSession, SessionRepository } from '../src';

/** The endpoints a side's peers call (sessions, email claims), from the API module alone over real
 * HTTP, on the auth service's schema in a real SQLite database. */
const internalToken = newInternalToken();
let app: RunningTestApp;
beforeAll(async () => {
  app = await startOnTestDatabase(
    'sqlite',
    (db) => migrateLatest(db.knex, authMigrations),
    (db) => {
      const routes = internalAuthRoutes({
        sessions: new SessionRepository(db.knex, systemClock),
        emailClaims: new EmailClaimRepository(db.knex, systemClock),
        throttle: LoginThrottle.inMemory(DEFAULT_LOGIN_THROTTLE_LIMITS),
        internalToken,
      });
      return createHttpApp({ service: 'auth-api-test', logger: createLogger({ name: 'auth-api-test', level: 'silent' }), readiness: [], routes }).app;
    },
  );
});
afterAll(() => app.stop());

const peer = { headers: { [INTERNAL_TOKEN_HEADER]: internalToken } };

async function newUser(): Promise<{ id: string; email: string }> {
  const user = { id: randomUUID(), email: `u-${randomUUID()}@example.com` };
  await app.db.knex('users').insert({ ...user, name: 'U', created_at: new Date(), updated_at: new Date() });
  return user;
}

describe('internal auth routes', () => {
  it('refuse a caller without the internal token', async () => {
    const res = await app.api.post('/internal/email-claims', { email: 'a@example.com', claimId: randomUUID() });
    expect([res.status, res.body.code]).toEqual([401, 'INTERNAL_UNAUTHORIZED']);
    expect(await app.db.knex('email_claims').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('answer for a session issued here, and end it on revoke', async () => {
    const user = await newUser();
    const { record } = newSession(user.id, systemClock, 60_000);
    await new SessionRepository(app.db.knex, systemClock).insert(record);
    const found = await app.api.get(`/internal/sessions/${record.tokenHash}`, peer);
    expect([found.status, found.body.user.email]).toEqual([200, user.email]);
    expect((await app.api.post(`/internal/sessions/${record.tokenHash}/revoke`, {}, peer)).status).toBe(204);
    expect((await app.api.get(`/internal/sessions/${record.tokenHash}`, peer)).body.code).toBe('SESSION_ENDED');
  });

  it('hold an email for a peer, refuse a second claim and an email a user has, and give a claim back', async () => {
    const email = `c-${randomUUID()}@example.com`;
    const claimId = randomUUID();
    expect((await app.api.post('/internal/email-claims', { email, claimId }, peer)).status).toBe(204);
    expect((await app.api.post('/internal/email-claims', { email, claimId: randomUUID() }, peer)).body.code).toBe('EMAIL_CLAIM_CONTENDED');
    expect((await app.api.request('DELETE', `/internal/email-claims/${claimId}`, undefined, peer)).status).toBe(204);
    expect(await app.db.knex('email_claims').where({ email }).first()).toBeUndefined();

    const user = await newUser();
    expect((await app.api.post('/internal/email-claims', { email: user.email, claimId: randomUUID() }, peer)).body.code).toBe('EMAIL_CLAIM_TAKEN');
    expect((await app.api.post('/internal/email-claims', { email: 'x', claimId: 'not-a-uuid' }, peer)).status).toBe(400);
  });
});
