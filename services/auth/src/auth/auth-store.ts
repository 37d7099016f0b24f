import type { Knex } from 'knex';
import type { Clock } from '@strangler/kit';
import { EmailClaimRepository, SessionRepository } from '@strangler/auth-capability';
import { CredentialRepository } from '../users/credential-repository';
import { UserRepository } from '../users/user-repository';

/** The repositories of the auth database, and a way to use them inside one transaction. */
export interface AuthStore {
  users: UserRepository;
  credentials: CredentialRepository;
  sessions: SessionRepository;
  emailClaims: EmailClaimRepository;
  transaction<T>(work: (tx: AuthStore) => Promise<T>): Promise<T>;
}

export function createAuthStore(knex: Knex, clock: Clock): AuthStore {
  return {
    users: new UserRepository(knex),
    credentials: new CredentialRepository(knex),
    sessions: new SessionRepository(knex, clock),
    emailClaims: new EmailClaimRepository(knex, clock),
    transaction: (work) => knex.transaction((trx) => work(createAuthStore(trx, clock))),
  };
}
