import { createHash } from 'node:crypto';
import { testDialects } from '@strangler/kit/testing';
import { startMonolith, type RunningMonolith } from '../src/testing';

describe.each(testDialects())('monolith credential storage on %s', (dialect) => {
  let monolith: RunningMonolith;
  beforeAll(async () => {
    monolith = await startMonolith(dialect);
  });
  afterAll(async () => monolith.stop());

  it('stores new passwords as argon2id with their parameters (no more legacy SHA-256), and only a hash of the session token', async () => {
    const res = await monolith.api.post('/api/auth/register', { email: 'new@example.com', password: 'password1', name: 'N' });
    expect(res.status).toBe(201);
    const row = await monolith.db.knex('users').where({ email: 'new@example.com' }).first();
    expect(row).toMatchObject({ password_scheme: 'argon2id', password_params: 'm=19456,t=2,p=1' });
    expect(row.password_salt).toMatch(/^[0-9a-f]{32}$/);
    expect(row.password_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.password_hash).not.toBe(createHash('sha256').update(`${row.password_salt}password1`).digest('hex'));
    const session = await monolith.db.knex('sessions').where({ user_id: row.id }).first();
    expect(session.token_hash).toBe(createHash('sha256').update(res.body.token).digest('hex'));
    const everything = JSON.stringify([row, session]);
    expect(everything).not.toContain('password1');
    expect(everything).not.toContain(res.body.token);
  });
});
