import type { Response } from 'express';
import { sessionErrors, type SessionUser } from '@strangler/kit';

/**
 * The caller's id. Each side's `authenticate` middleware puts the session's user in
 * `res.locals.user`; the payments API needs only the id. A route without that middleware in front
 * answers 401, as the middleware would.
 */
export function callerId(res: Response): string {
  const user = res.locals.user as Pick<SessionUser, 'id'> | undefined;
  if (!user) throw sessionErrors.unauthenticated();
  return user.id;
}
