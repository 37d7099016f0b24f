import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Clock, type Logger } from '@strangler/kit';
import {
  authErrors,
  newSession,
  verifyLogin,
  type EmailReservations,
  type IssuedSession,
  type LoginInput,
  type LoginThrottle,
  type PasswordHashing,
  type RegisterInput,
  type User,
} from '@strangler/auth-capability';
import type { AuthStore } from './auth-store';

export interface AuthUseCaseDeps {
  store: AuthStore;
  passwords: PasswordHashing;
  throttle: LoginThrottle;
  reservations: EmailReservations;
  clock: Clock;
  sessionTtlMs: number;
  logger: Logger;
}

/**
 * The monolith's side of the auth API: the password in the `users` row, the shared rules (argon2id
 * for new and re-hashed passwords, the login throttle, the cross-side email reservation).
 */
export function createAuthUseCases({ store, passwords, throttle, reservations, clock, sessionTtlMs, logger }: AuthUseCaseDeps) {
  return {
    async register(input: RegisterInput): Promise<IssuedSession> {
      const credential = await passwords.hash(input.password);
      const user: User = { id: randomUUID(), email: input.email, name: input.name, createdAt: clock.now() };
      const session = newSession(user.id, clock, sessionTtlMs);
      const reservation = await reservations.reserve(user.email);
      try {
        await store.transaction(async (tx) => {
          await reservation.confirm(tx.emailClaims);
          await tx.users.insert(user, credential);
          await tx.sessions.insert(session.record);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw authErrors.emailTaken();
        throw error;
      } finally {
        await reservation.release();
      }
      return { user, token: session.token, expiresAt: session.record.expiresAt };
    },

    /** A legacy, scrypt or outdated hash is replaced (argon2id) in the transaction that opens the session. */
    async login(input: LoginInput, client: { address: string }): Promise<IssuedSession> {
      const { user, credential, upgrade } = await verifyLogin({ throttle, passwords }, input, client, (email) => store.users.findAccountByEmail(email));
      const session = newSession(user.id, clock, sessionTtlMs);
      await store.transaction(async (tx) => {
        if (upgrade && (await tx.users.replaceCredential(user.id, credential, upgrade, clock.now()))) {
          logger.info({ userId: user.id, from: credential.scheme, fromParams: credential.params, to: upgrade.params }, 'password hash upgraded');
        }
        await tx.sessions.insert(session.record);
      });
      return { user, token: session.token, expiresAt: session.record.expiresAt };
    },
  };
}

export type AuthUseCases = ReturnType<typeof createAuthUseCases>;
