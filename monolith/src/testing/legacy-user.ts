import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { legacySha256 } from '@strangler/auth-api';

/**
 * A user as the monolith stored them before argon2id (and as `npm run seed` still does): the
 * legacy salted SHA-256 in `users`. No API creates these any more.
 */
export async function insertLegacyUser(knex: Knex, user: { email: string; password: string; name?: string }): Promise<{ id: string; email: string; name: string; createdAt: string }> {
  const id = randomUUID();
  const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000);
  const name = user.name ?? 'Legacy';
  const { hash, salt } = legacySha256(user.password);
  await knex('users').insert({
    id,
    email: user.email,
    name,
    password_hash: hash,
    password_salt: salt,
    password_scheme: 'legacy-sha256',
    password_params: null,
    created_at: createdAt,
    updated_at: createdAt,
  });
  return { id, email: user.email, name, createdAt: createdAt.toISOString() };
}
