import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Clock, type Logger } from '@strangler/kit';
import { authErrors } from './auth-errors';
import type { AuthUseCases } from './auth-routes';
import type { LoginInput, RegisterInput } from './auth-schemas';
import { verifyLogin, type LoginAccount } from './login/verify-login';
import { newSession } from './new-session';
import type { Credential } from './passwords/credential';
import type { PasswordHashing } from './passwords/password-hasher';
import type { EmailClaimRepository } from './registration/email-claim-repository';
import type { EmailReservations } from './registration/email-reservations';
import type { NewSession } from './session-repository';
import type { LoginThrottle } from './throttling/login-throttle';
import type { IssuedSession, User } from './user';

/** A side's auth tables inside one transaction: where its users and their passwords live is its own. */
export interface AuthTransaction {
  /** Throws a unique violation (see isUniqueViolation) when the email is taken. */
  insertUser(user: User, credential: Credential): Promise<void>;
  /** Compare-and-set: replaces the credential only if it is still `expected`; false otherwise. */
  replaceCredential(userId: string, expected: Credential, replacement: Credential, at: Date): Promise<boolean>;
  insertSession(session: NewSession): Promise<void>;
  emailClaims: EmailClaimRepository;
}

/** What the use cases need of a side's storage. */
export interface AuthStorage {
  findAccountByEmail(email: string): Promise<LoginAccount | undefined>;
  /** One write transaction, rolled back (503 WRITE_DEADLINE_PASSED) when the edge's write deadline passed
   * before the commit — kit's `writeTransaction` (decision 0038). */
  transaction<T>(work: (tx: AuthTransaction) => Promise<T>): Promise<T>;
}

export interface AuthUseCaseDeps {
  storage: AuthStorage;
  passwords: PasswordHashing;
  throttle: LoginThrottle;
  reservations: EmailReservations;
  clock: Clock;
  sessionTtlMs: number;
  logger: Logger;
}

/**
 * Register and login, the same on both sides since decisions 0026–0029 (0011 had kept them per side
 * while password storage differed): each side brings its storage only.
 */
export function createAuthUseCases({ storage, passwords, throttle, reservations, clock, sessionTtlMs, logger }: AuthUseCaseDeps): AuthUseCases {
  return {
    /** Hashed before anything is held (the hash may queue); the email is reserved on every side first. */
    async register(input: RegisterInput, client = {}): Promise<IssuedSession> {
      const credential = await passwords.hash(input.password, client.signal);
      const user: User = { id: randomUUID(), email: input.email, name: input.name, createdAt: clock.now() };
      const session = newSession(user.id, clock, sessionTtlMs);
      const reservation = await reservations.reserve(user.email);
      try {
        await storage.transaction(async (tx) => {
          await reservation.confirm(tx.emailClaims);
          await tx.insertUser(user, credential);
          await tx.insertSession(session.record);
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
    async login(input: LoginInput, client): Promise<IssuedSession> {
      // The session is opened inside the throttle's guard: a refused write (the fence, the write deadline) clears no failures.
      return verifyLogin({ throttle, passwords }, input, client, (email) => storage.findAccountByEmail(email), async ({ user, credential, upgrade }) => {
        const session = newSession(user.id, clock, sessionTtlMs);
        const upgraded = await storage.transaction(async (tx) => {
          const replaced = upgrade !== undefined && (await tx.replaceCredential(user.id, credential, upgrade, clock.now()));
          await tx.insertSession(session.record);
          return replaced;
        });
        // Said once committed: a login refused at commit (the write deadline) upgraded nothing.
        if (upgraded) logger.info({ userId: user.id, from: credential.scheme, fromParams: credential.params, to: upgrade?.params }, 'password hash upgraded');
        return { user, token: session.token, expiresAt: session.record.expiresAt };
      });
    },
  };
}
