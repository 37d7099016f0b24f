import { testDialects } from '@strangler/kit/testing';
import { copyMonolithUsersToAuth } from '@strangler/migrations';
import { hashWithScrypt } from '../src/passwords/scrypt-hash';
import { CURRENT_SCRYPT_PARAMS, formatScryptParams } from '../src/passwords/scrypt-params';
import { startMonolith, type RunningMonolith } from '../../../monolith/test/support/start-monolith';
import { startAuthService, type RunningAuthService } from './support/start-auth-service';
import { uniqueEmail } from './support/test-data';

describe.each(testDialects())('users copied from the monolith, on %s', (dialect) => {
  let monolith: RunningMonolith;
  let service: RunningAuthService;
  beforeAll(async () => {
    [monolith, service] = await Promise.all([startMonolith(dialect), startAuthService(dialect)]);
  });
  afterAll(async () => {
    await Promise.all([monolith?.stop(), service?.stop()]);
  });

  /** A user registered on the monolith, then copied to the auth database. */
  async function monolithUser(password: string) {
    const email = uniqueEmail();
    const registered = await monolith.api.post('/api/auth/register', { email, password, name: 'Legacy' });
    expect(registered.status).toBe(201);
    const copied = await copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { ids: [registered.body.user.id] });
    expect(copied).toEqual({ users: 1, credentialsCopied: 1, credentialsKept: 0 });
    return { email, user: registered.body.user };
  }

  const credentialOf = (userId: string) => service.db.knex('credentials').where({ user_id: userId }).first();

  it('log in with their monolith password and are transparently re-hashed to scrypt', async () => {
    const { email, user } = await monolithUser('legacy password');
    const legacy = await monolith.db.knex('users').where({ id: user.id }).first();
    expect(await credentialOf(user.id)).toMatchObject({ scheme: 'legacy-sha256', hash: legacy.password_hash, salt: legacy.password_salt, params: null });

    const wrong = await service.api.post('/api/auth/login', { email, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect((await credentialOf(user.id)).scheme).toBe('legacy-sha256');

    const login = await service.api.post('/api/auth/login', { email, password: 'legacy password' });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual(user);
    const upgraded = await credentialOf(user.id);
    expect(upgraded).toMatchObject({ scheme: 'scrypt', params: formatScryptParams(CURRENT_SCRYPT_PARAMS) });
    expect(upgraded.hash).not.toBe(legacy.password_hash);

    expect((await service.api.post('/api/auth/login', { email, password: 'legacy password' })).status).toBe(200);
    expect((await service.api.post('/api/auth/login', { email, password: 'not the password' })).status).toBe(401);
    expect((await credentialOf(user.id)).hash).toBe(upgraded.hash);
  });

  it('survive concurrent first logins: every one succeeds and the row ends as one valid scrypt credential', async () => {
    const { email, user } = await monolithUser('legacy password');
    const logins = await Promise.all([1, 2, 3, 4].map(() => service.api.post('/api/auth/login', { email, password: 'legacy password' })));
    expect(logins.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await credentialOf(user.id)).scheme).toBe('scrypt');
    expect((await service.api.post('/api/auth/login', { email, password: 'legacy password' })).status).toBe(200);
    expect((await service.api.post('/api/auth/login', { email, password: 'legacy passworD' })).status).toBe(401);
  });

  it('keep an upgraded credential when the copy runs again, but take a password the monolith changed later', async () => {
    const { email, user } = await monolithUser('legacy password');
    expect((await service.api.post('/api/auth/login', { email, password: 'legacy password' })).status).toBe(200);
    const upgraded = await credentialOf(user.id);

    const again = await copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { ids: [user.id] });
    expect(again).toEqual({ users: 1, credentialsCopied: 0, credentialsKept: 1 });
    expect(await credentialOf(user.id)).toEqual(upgraded);

    // The monolith changes the password after the upgrade (as a future "change password" would).
    const changedAt = new Date(Date.now() + 60_000);
    await monolith.db.knex('users').where({ id: user.id }).update({ password_hash: 'f'.repeat(64), updated_at: changedAt });
    expect(await copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { ids: [user.id] })).toEqual({ users: 1, credentialsCopied: 1, credentialsKept: 0 });
    expect(await credentialOf(user.id)).toMatchObject({ scheme: 'legacy-sha256', hash: 'f'.repeat(64) });
  });

  it('copies every user when no ids are given, in batches, and refuses to merge an email owned by another id', async () => {
    const emails = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
    for (const email of emails) await monolith.api.post('/api/auth/register', { email, password: 'password1', name: 'Batch' });
    const result = await copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { batchSize: 2 });
    const monolithCount = Number((await monolith.db.knex('users').count({ n: '*' }).first())?.n);
    expect(result.users).toBe(monolithCount);
    expect(await service.db.knex('users').whereIn('email', emails).select('id')).toHaveLength(3);

    const email = uniqueEmail();
    const onService = await service.api.post('/api/auth/register', { email, password: 'password1', name: 'Service' });
    const onMonolith = await monolith.api.post('/api/auth/register', { email, password: 'password2', name: 'Monolith' });
    await expect(copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { ids: [onMonolith.body.user.id] })).rejects.toThrow(/already used by other auth users/);
    expect(await service.db.knex('users').where({ email }).first()).toMatchObject({ id: onService.body.user.id, name: 'Service' });
  });

  it('re-hashes a scrypt credential made with outdated parameters at the next login', async () => {
    const email = uniqueEmail();
    const registered = await service.api.post('/api/auth/register', { email, password: 'password1', name: 'Old' });
    const weak = await hashWithScrypt('password1', { N: 1024, r: 8, p: 1 });
    await service.db.knex('credentials').where({ user_id: registered.body.user.id }).update(weak);

    expect((await service.api.post('/api/auth/login', { email, password: 'password2' })).status).toBe(401);
    expect((await credentialOf(registered.body.user.id)).params).toBe('N=1024,r=8,p=1');
    expect((await service.api.post('/api/auth/login', { email, password: 'password1' })).status).toBe(200);
    expect((await credentialOf(registered.body.user.id)).params).toBe(formatScryptParams(CURRENT_SCRYPT_PARAMS));
    expect((await service.api.post('/api/auth/login', { email, password: 'password1' })).status).toBe(200);
  });
});
