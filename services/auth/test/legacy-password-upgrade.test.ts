import { randomBytes, scryptSync } from 'node:crypto';
import { testDialects, uniqueEmail } from '@strangler/kit/testing';
import { copyMonolithUsersToAuth } from '@strangler/data-engine';
import { CURRENT_ARGON2_PARAMS, formatArgon2Params, hashWithArgon2id, legacySha256, type Credential } from '@strangler/auth-api';
import { insertLegacyUser, startMonolith, type RunningMonolith } from '@strangler/monolith/testing';
import { startAuthService, type RunningAuthService } from '../src/testing';

const CURRENT = formatArgon2Params(CURRENT_ARGON2_PARAMS);

/** A credential exactly as the auth service stored one before argon2id (hex key and salt, parameters as text). */
function serviceScrypt(password: string, params = { N: 1024, r: 8, p: 1 }) {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { ...params, maxmem: 128 * params.r * (params.N + 2 + params.p) });
  return { scheme: 'scrypt', hash: hash.toString('hex'), salt: salt.toString('hex'), params: `N=${params.N},r=${params.r},p=${params.p}` };
}

describe.each(testDialects())('older credentials are verified and re-hashed to argon2id at login, on both sides, on %s', (dialect) => {
  let monolith: RunningMonolith;
  let service: RunningAuthService;
  beforeAll(async () => {
    [monolith, service] = await Promise.all([startMonolith(dialect), startAuthService(dialect)]);
  });
  afterAll(async () => {
    await Promise.all([monolith?.stop(), service?.stop()]);
  });

  /** A legacy monolith user, also copied to the auth database (as the backfill does). */
  async function legacyUser(password: string) {
    const user = await insertLegacyUser(monolith.db.knex, { email: uniqueEmail(), password });
    const copied = await copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { ids: [user.id] });
    expect(copied).toEqual({ users: 1, credentialsCopied: 1, credentialsKept: 0 });
    return user;
  }

  const sides = () => [
    {
      name: 'auth service',
      api: service.api,
      credentialOf: async (userId: string) => service.db.knex('credentials').where({ user_id: userId }).first('scheme', 'hash', 'salt', 'params'),
      setCredential: (userId: string, c: Credential) => service.db.knex('credentials').where({ user_id: userId }).update(c),
    },
    {
      name: 'monolith',
      api: monolith.api,
      credentialOf: async (userId: string) => {
        const row = await monolith.db.knex('users').where({ id: userId }).first();
        return { scheme: row.password_scheme, hash: row.password_hash, salt: row.password_salt, params: row.password_params };
      },
      setCredential: (userId: string, c: Credential) =>
        monolith.db.knex('users').where({ id: userId }).update({ password_scheme: c.scheme, password_hash: c.hash, password_salt: c.salt, password_params: c.params }),
    },
  ];

  it.each([0, 1])('a legacy SHA-256 user logs in and is transparently re-hashed (side %i)', async (index) => {
    const side = sides()[index]!;
    const user = await legacyUser('legacy password');
    const before = await side.credentialOf(user.id);
    expect(before).toMatchObject({ scheme: 'legacy-sha256', params: null });

    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'not the password' })).status).toBe(401);
    expect((await side.credentialOf(user.id)).scheme).toBe('legacy-sha256');

    const login = await side.api.post('/api/auth/login', { email: user.email, password: 'legacy password' });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual({ id: user.id, email: user.email, name: user.name, createdAt: user.createdAt });
    const upgraded = await side.credentialOf(user.id);
    expect(upgraded).toMatchObject({ scheme: 'argon2id', params: CURRENT });
    expect(upgraded.hash).toMatch(/^[0-9a-f]{64}$/);

    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'legacy password' })).status).toBe(200);
    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'not the password' })).status).toBe(401);
    expect((await side.credentialOf(user.id)).hash).toBe(upgraded.hash);
  });

  it.each([0, 1])('concurrent first logins all succeed and leave one valid argon2id credential (side %i)', async (index) => {
    const side = sides()[index]!;
    const user = await legacyUser('legacy password');
    const logins = await Promise.all([1, 2, 3, 4].map(() => side.api.post('/api/auth/login', { email: user.email, password: 'legacy password' })));
    expect(logins.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await side.credentialOf(user.id)).scheme).toBe('argon2id');
    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'legacy password' })).status).toBe(200);
    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'legacy passworD' })).status).toBe(401);
  });

  it.each([0, 1])('a scrypt credential the service wrote before argon2id is verified and re-hashed (side %i)', async (index) => {
    const side = sides()[index]!;
    const user = await legacyUser('whatever');
    await side.setCredential(user.id, serviceScrypt('scrypt password'));
    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'scrypt passworD' })).status).toBe(401);
    expect((await side.credentialOf(user.id)).scheme).toBe('scrypt');
    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'scrypt password' })).status).toBe(200);
    expect(await side.credentialOf(user.id)).toMatchObject({ scheme: 'argon2id', params: CURRENT });
  });

  it.each([0, 1])('an argon2id hash with outdated parameters is re-hashed at the next login (side %i)', async (index) => {
    const side = sides()[index]!;
    const user = await legacyUser('whatever');
    await side.setCredential(user.id, await hashWithArgon2id('password1', { memoryKiB: 1024, passes: 1, lanes: 1 }));
    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'password2' })).status).toBe(401);
    expect((await side.credentialOf(user.id)).params).toBe('m=1024,t=1,p=1');
    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'password1' })).status).toBe(200);
    expect((await side.credentialOf(user.id)).params).toBe(CURRENT);
  });

  it.each([0, 1])('a stored row with an unknown scheme or tampered parameters fails loudly (500), not as a wrong password (side %i)', async (index) => {
    const side = sides()[index]!;
    const user = await legacyUser('whatever');
    await side.setCredential(user.id, { ...legacySha256('pw'), scheme: 'md5', params: null });
    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'pw' })).status).toBe(500);
    await side.setCredential(user.id, { ...(await hashWithArgon2id('pw', CURRENT_ARGON2_PARAMS)), params: 'm=4194304,t=2,p=1' });
    expect((await side.api.post('/api/auth/login', { email: user.email, password: 'pw' })).status).toBe(500);
  });

  it('the copy keeps an upgraded credential when it runs again, but takes a password the monolith changed later', async () => {
    const user = await legacyUser('legacy password');
    expect((await service.api.post('/api/auth/login', { email: user.email, password: 'legacy password' })).status).toBe(200);
    const upgraded = await service.db.knex('credentials').where({ user_id: user.id }).first();

    const again = await copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { ids: [user.id] });
    expect(again).toEqual({ users: 1, credentialsCopied: 0, credentialsKept: 1 });
    expect(await service.db.knex('credentials').where({ user_id: user.id }).first()).toEqual(upgraded);

    // The monolith changes the password after the upgrade (as a future "change password" would).
    const changedAt = new Date(Date.now() + 60_000);
    await monolith.db.knex('users').where({ id: user.id }).update({ password_hash: 'f'.repeat(64), updated_at: changedAt });
    expect(await copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { ids: [user.id] })).toEqual({ users: 1, credentialsCopied: 1, credentialsKept: 0 });
    expect(await service.db.knex('credentials').where({ user_id: user.id }).first()).toMatchObject({ scheme: 'legacy-sha256', hash: 'f'.repeat(64) });
  });

  it('the copy takes every user when no ids are given, in batches', async () => {
    const emails = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
    for (const email of emails) await insertLegacyUser(monolith.db.knex, { email, password: 'password1' });
    const result = await copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { batchSize: 2 });
    const monolithCount = Number((await monolith.db.knex('users').count({ n: '*' }).first())?.n);
    expect(result.users).toBe(monolithCount);
    expect(await service.db.knex('users').whereIn('email', emails).select('id')).toHaveLength(3);
  });

  it('the copy refuses to merge an email owned by another id', async () => {
    const email = uniqueEmail();
    const onService = await service.api.post('/api/auth/register', { email, password: 'password1', name: 'Service' });
    const onMonolith = await insertLegacyUser(monolith.db.knex, { email, password: 'password2', name: 'Monolith' });
    await expect(copyMonolithUsersToAuth(monolith.db.knex, service.db.knex, { ids: [onMonolith.id] })).rejects.toThrow(/already used by other auth users/);
    expect(await service.db.knex('users').where({ email }).first()).toMatchObject({ id: onService.body.user.id, name: 'Service' });
  });
});
