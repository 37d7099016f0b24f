import type { SessionUser } from '@strangler/kit';
import type { User } from '../users/user';
import type { IssuedSession } from './auth-use-cases';

export const userJson = (user: User): SessionUser => ({
  id: user.id,
  email: user.email,
  name: user.name,
  createdAt: user.createdAt.toISOString(),
});

export const sessionJson = (session: IssuedSession) => ({
  user: userJson(session.user),
  token: session.token,
  expiresAt: session.expiresAt.toISOString(),
});
