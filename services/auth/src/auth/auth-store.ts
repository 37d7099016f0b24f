import type { Knex } from 'knex';
import { writeTransaction, type Clock } from '@strangler/kit';
import { EmailClaimRepository, SessionRepository, type AuthStorage, type AuthTransaction } from '@strangler/auth-api';
import { CredentialRepository } from '../users/credential-repository';
import { UserRepository } from '../users/user-repository';

/** The auth database's repositories: a user and their credential are rows of two tables. */
function repositories(knex: Knex, clock: Clock) {
  return {
    users: new UserRepository(knex),
    credentials: new CredentialRepository(knex),
    sessions: new SessionRepository(knex, clock),
    emailClaims: new EmailClaimRepository(knex, clock),
  };
}

/** The service's storage as the shared use cases need it, plus the repositories the module wires. */
export function createAuthStore(knex: Knex, clock: Clock): AuthStorage & ReturnType<typeof repositories> {
  const outside = repositories(knex, clock);
  return {
    ...outside,
    findAccountByEmail: (email) => outside.users.findAccountByEmail(email),
    transaction: (work) =>
      writeTransaction(knex, (trx) => {
        const inside = repositories(trx, clock);
        const tx: AuthTransaction = {
          insertUser: async (user, credential) => {
            await inside.users.insert(user);
            await inside.credentials.insert(user.id, credential, user.createdAt);
          },
          replaceCredential: (userId, expected, replacement, at) => inside.credentials.replace(userId, expected, replacement, at),
          insertSession: (session) => inside.sessions.insert(session),
          emailClaims: inside.emailClaims,
        };
        return work(tx);
      }),
  };
}
