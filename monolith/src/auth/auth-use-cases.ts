import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Clock } from '@strangler/kit';
import { authErrors, newSession, type IssuedSession, type LoginInput, type RegisterInput, type SessionRepository, type User } from '@strangler/auth-capability';
import { burnLegacyPasswordCheck } from './legacy-password';
import { newStoredPassword, verifyStoredPassword } from './stored-password';
import type { UserRepository } from './user-repository';

export interface AuthUseCaseDeps {
  users: UserRepository;
  sessions: SessionRepository;
  clock: Clock;
  sessionTtlMs: number;
}

/** The monolith's side of the auth API: the legacy password scheme, no throttling. */
export function createAuthUseCases({ users, sessions, clock, sessionTtlMs }: AuthUseCaseDeps) {
  async function issueSession(user: User): Promise<IssuedSession> {
    const session = newSession(user.id, clock, sessionTtlMs);
    await sessions.insert(session.record);
    return { user, token: session.token, expiresAt: session.record.expiresAt };
  }

  return {
    async register(input: RegisterInput): Promise<IssuedSession> {
      const user = { id: randomUUID(), email: input.email, name: input.name, createdAt: clock.now() };
      try {
        await users.insert({ ...user, password: newStoredPassword(input.password) });
      } catch (error) {
        if (isUniqueViolation(error)) throw authErrors.emailTaken();
        throw error;
      }
      return issueSession(user);
    },

    /** Unknown email and wrong password are indistinguishable: same error, same work. */
    async login(input: LoginInput): Promise<IssuedSession> {
      const found = await users.findByEmail(input.email);
      if (!found) {
        burnLegacyPasswordCheck(input.password);
        throw authErrors.invalidCredentials();
      }
      if (!(await verifyStoredPassword(input.password, found.password))) throw authErrors.invalidCredentials();
      const { password: _password, ...user } = found;
      return issueSession(user);
    },
  };
}

export type AuthUseCases = ReturnType<typeof createAuthUseCases>;
