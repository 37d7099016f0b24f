import type { Response } from 'express';
import { AppError } from '@strangler/kit';

export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string;
}

/** The caller, as set by the `authenticate` middleware. */
export function currentUser(res: Response): AuthenticatedUser {
  const user = res.locals.user as AuthenticatedUser | undefined;
  if (!user) throw new AppError('AUTH_UNAUTHENTICATED', 401, 'Unauthenticated', 'A valid bearer token is required.');
  return user;
}
