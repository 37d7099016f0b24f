import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Clock, type Logger } from '@strangler/kit';
import { authErrors, newSession, type IssuedSession, type LoginInput, type RegisterInput, type User } from '@strangler/auth-capability';
import type { PasswordHasher } from '../passwords/password-hasher';
import type { LoginThrottle } from '../throttling/login-throttle';
import type { AuthStore } from './auth-store';

export interface AuthUseCaseDeps {
  store: AuthStore;
  passwords: PasswordHasher;
  throttle: LoginThrottle;
  clock: Clock;
  sessionTtlMs: number;
  logger: Logger;
}

/** The service's side of the auth API: scrypt credentials (legacy ones re-hashed at login) and throttling. */
export function createAuthUseCases({ store, passwords, throttle, clock, sessionTtlMs, logger }: AuthUseCaseDeps) {
  return {
    async register(input: RegisterInput): Promise<IssuedSession> {
      // Hashed before the transaction: scrypt must not hold a connection (SQLite has only one).
      const credential = await passwords.hash(input.password);
      const user: User = { id: randomUUID(), email: input.email, name: input.name, createdAt: clock.now() };
      const session = newSession(user.id, clock, sessionTtlMs);
      try {
        await store.transaction(async (tx) => {
          await tx.users.insert(user);
          await tx.credentials.insert(user.id, credential, user.createdAt);
          await tx.sessions.insert(session.record);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw authErrors.emailTaken();
        throw error;
      }
      return { user, token: session.token, expiresAt: session.record.expiresAt };
    },

    /**
     * Unknown email and wrong password are indistinguishable: same error, same scrypt work, same
     * throttling. A legacy or outdated hash is replaced in the same transaction that opens the session.
     */
    async login(input: LoginInput, client: { address: string }): Promise<IssuedSession> {
      const verified = await throttle.guard(input.email, client.address, async () => {
        const account = await store.users.findAccountByEmail(input.email);
        const credential = account?.credential;
        const check = await passwords.check(input.password, credential);
        return account && credential && check.ok ? { account, credential, upgrade: check.upgrade } : undefined;
      });
      if (!verified) throw authErrors.invalidCredentials();
      const { account, credential, upgrade } = verified;
      const session = newSession(account.user.id, clock, sessionTtlMs);
      await store.transaction(async (tx) => {
        if (upgrade && (await tx.credentials.replace(account.user.id, credential, upgrade, clock.now()))) {
          logger.info({ userId: account.user.id, from: credential.scheme, fromParams: credential.params, to: upgrade.params }, 'password hash upgraded');
        }
        await tx.sessions.insert(session.record);
      });
      return { user: account.user, token: session.token, expiresAt: session.record.expiresAt };
    },
  };
}

export type AuthUseCases = ReturnType<typeof createAuthUseCases>;
