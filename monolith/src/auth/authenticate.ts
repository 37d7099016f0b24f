import type { RequestHandler } from 'express';
import { authErrors } from './auth-errors';
import { bearerTokenFrom } from './session-token';
import type { AuthUseCases } from './auth-use-cases';

/** Resolves `Authorization: Bearer <token>` to the caller (res.locals.user) or answers 401. */
export function authenticateMiddleware(auth: AuthUseCases): RequestHandler {
  return async (req, res, next) => {
    const token = bearerTokenFrom(req.get('authorization'));
    const user = token ? await auth.userForToken(token) : undefined;
    if (!user) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw authErrors.unauthenticated();
    }
    res.locals.user = user;
    res.locals.bearerToken = token;
    next();
  };
}
