import type { Knex } from 'knex';
import { writeTransaction, type Clock } from '@strangler/kit';
import { EmailClaimRepository, SessionRepository, type AuthStorage, type AuthTransaction } from '@strangler/auth-api';
import { UserRepository } from './user-repository';

/** The monolith's auth tables: the password lives in the `users` row. */
function repositories(knex: Knex, clock: Clock) {
  return {
    users: new UserRepository(knex),
    sessions: new SessionRepository(knex, clock),
    emailClaims: new EmailClaimRepository(knex, clock),
  };
}

/** The monolith's storage as the shared use cases need it, plus the repositories the module wires. */
export function createAuthStore(knex: Knex, clock: Clock): AuthStorage & ReturnType<typeof repositories> {
  const outside = repositories(knex, clock);
  return {
    ...outside,
    findAccountByEmail: (email) => outside.users.findAccountByEmail(email),
    transaction: (work) =>
      writeTransaction(knex, (trx) => {
        const inside = repositories(trx, clock);
        const tx: AuthTransaction = {
          insertUser: (user, credential) => inside.users.insert(user, credential),
          replaceCredential: (userId, expected, replacement, at) => inside.users.replaceCredential(userId, expected, replacement, at),
          insertSession: (session) => inside.sessions.insert(session),
          emailClaims: inside.emailClaims,
        };
        return work(tx);
      }),
  };
}
