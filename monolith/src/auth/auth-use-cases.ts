import { randomUUID } from 'node:crypto';
import { hashToken, isUniqueViolation, type Clock } from '@strangler/kit';
import { authErrors } from './auth-errors';
import { burnLegacyPasswordCheck } from './legacy-password';
import { newStoredPassword, verifyStoredPassword } from './stored-password';
import { newSessionToken } from './session-token';
import type { LoginInput, RegisterInput } from './auth-schemas';
import type { SessionRepository } from './session-repository';
import type { User, UserRepository } from './user-repository';

export interface IssuedSession {
  user: User;
  token: string;
  expiresAt: Date;
}

export interface AuthUseCaseDeps {
  users: UserRepository;
  sessions: SessionRepository;
  clock: Clock;
  sessionTtlMs: number;
}

export function createAuthUseCases({ users, sessions, clock, sessionTtlMs }: AuthUseCaseDeps) {
  async function issueSession(user: User): Promise<IssuedSession> {
    const token = newSessionToken();
    const createdAt = clock.now();
    const expiresAt = new Date(createdAt.getTime() + sessionTtlMs);
    await sessions.insert({ tokenHash: hashToken(token), userId: user.id, createdAt, expiresAt });
    return { user, token, expiresAt };
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
