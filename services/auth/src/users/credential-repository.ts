import type { Knex } from 'knex';
import type { Credential } from '@strangler/auth-api';

export class CredentialRepository {
  constructor(private readonly knex: Knex) {}

  async insert(userId: string, credential: Credential, at: Date): Promise<void> {
    await this.knex('credentials').insert({ user_id: userId, ...credential, updated_at: at });
  }

  /**
   * Compare-and-set: replaces the credential only if it is still `expected`. Of two logins upgrading
   * the same hash at once, one writes and the other changes nothing (both replacements verify the
   * same password); the row is always one whole credential. False when it had already changed.
   */
  async replace(userId: string, expected: Credential, replacement: Credential, at: Date): Promise<boolean> {
    const changed = await this.knex('credentials')
      .where({ user_id: userId, scheme: expected.scheme, hash: expected.hash, salt: expected.salt })
      .update({ ...replacement, updated_at: at });
    return changed === 1;
  }
}
