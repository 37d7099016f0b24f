import type { RequestHandler } from 'express';
import { bearerTokenFrom, type SessionAuthenticator } from './session-authenticator';

/**
 * Resolves `Authorization: Bearer <token>` to the caller (`res.locals.user`), whichever side issued
 * the token. Every refusal (401, or 503 when a peer cannot be asked) carries `WWW-Authenticate: Bearer`,
 * on every side alike.
 */
export function bearerAuthentication(sessions: SessionAuthenticator): RequestHandler {
  return async (req, res, next) => {
    const token = bearerTokenFrom(req.get('authorization'));
    try {
      res.locals.user = await sessions.authenticate(token);
    } catch (error) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw error;
    }
    res.locals.bearerToken = token;
    next();
  };
}
