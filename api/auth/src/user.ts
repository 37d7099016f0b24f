import type { SessionUser } from '@strangler/kit';

/** A user as the auth API shows it; each side keeps its password storage apart from this. */
export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

/** What register and login answer with. */
export interface IssuedSession {
  user: User;
  token: string;
  expiresAt: Date;
}

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
