import { testDialects } from '@strangler/kit/testing';
import { insertLegacyUser, startMonolith, type RunningMonolith } from '@strangler/monolith/testing';
import { startAuthService, type RunningAuthService } from '@strangler/auth-service/testing';
import { createHarness, type Harness } from './support/data-harness';

jest.setTimeout(60_000);

const email = () => `rollback-${Math.random().toString(36).slice(2)}@example.com`;

describe.each(testDialects())('auth both ways through the real apps, on %s', (dialect) => {
  let monolith: RunningMonolith;
  let auth: RunningAuthService;
  let h: Harness;
  beforeAll(async () => {
    // No peers configured: whatever works on the other side after this works because the data synced.
    [monolith, auth] = await Promise.all([startMonolith(dialect), startAuthService(dialect)]);
    h = await createHarness(dialect, 'auth', { existing: { monolith: { db: monolith.db, url: '' }, service: { db: auth.db, url: '' } } });
    await h.installCapture();
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([monolith?.stop(), auth?.stop()]);
  });

  it('a legacy monolith user re-hashed to argon2id on the service still logs in on the monolith after sync back', async () => {
    const address = email();
    const legacy = await insertLegacyUser(monolith.db.knex, { email: address, password: 'correct horse', name: 'Ada' });
    const registered = { body: { user: legacy } };
    await h.settle();

    const onService = await auth.api.post('/api/auth/login', { email: address, password: 'correct horse' });
    expect(onService.status).toBe(200);
    const credential = await auth.db.knex('credentials').where({ user_id: registered.body.user.id }).first();
    expect(credential).toMatchObject({ scheme: 'argon2id', params: 'm=19456,t=2,p=1' });

    await h.settle();
    const row = await monolith.db.knex('users').where({ id: registered.body.user.id }).first();
    expect(row).toMatchObject({ password_scheme: 'argon2id', password_params: 'm=19456,t=2,p=1', password_hash: credential.hash, password_salt: credential.salt });

    // Rolled back: the monolith answers logins again.
    const back = await monolith.api.post('/api/auth/login', { email: address, password: 'correct horse' });
    expect(back.status).toBe(200);
    expect(back.body.user).toEqual(registered.body.user);
    expect((await monolith.api.post('/api/auth/login', { email: address, password: 'correct horsE' })).status).toBe(401);
    // The sync's own write on the monolith was not captured there: only the login's new session is.
    expect(await h.pending('monolith')).toBe(1);
    await h.settle();
    expect((await h.verify()).ok).toBe(true);
  });

  it('sessions cross both ways: a token from the service works on the monolith; a logout there ends it on the service', async () => {
    const address = email();
    expect((await auth.api.post('/api/auth/register', { email: address, password: 'battery staple', name: 'Grace' })).status).toBe(201);
    const login = await auth.api.post('/api/auth/login', { email: address, password: 'battery staple' });
    await h.settle();

    const me = await monolith.api.get('/api/auth/me', { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(address);
    // Registered on the service: its argon2id hash came over too.
    const monolithLogin = await monolith.api.post('/api/auth/login', { email: address, password: 'battery staple' });
    expect(monolithLogin.status).toBe(200);

    expect((await monolith.api.post('/api/auth/logout', undefined, { token: login.body.token })).status).toBe(204);
    await h.settle();
    expect((await auth.api.get('/api/auth/me', { token: login.body.token })).status).toBe(401);
    // And the monolith's own session reached the service.
    expect((await auth.api.get('/api/auth/me', { token: monolithLogin.body.token })).status).toBe(200);
    expect((await h.verify()).ok).toBe(true);
  });
});
