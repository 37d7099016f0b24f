import { timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { INTERNAL_TOKEN_HEADER } from './peer-sessions-client';
import type { LocalSessions } from './session-lookup';

const TOKEN_HASH = /^[0-9a-f]{64}$/;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /internal/sessions/:tokenHash` and `POST /internal/sessions/:tokenHash/revoke`: how the other
 * sides ask this side about sessions it issued. Answers from this side's own store only (never asks
 * further), so peers can point at each other without loops. Without an internal token configured the
 * routes do not exist.
 */
export function internalSessionRoutes(sessions: LocalSessions, internalToken: string | undefined): Router {
  const router = Router();
  if (!internalToken) return router;
  const guard: RequestHandler = (req, _res, next) => {
    const given = req.get(INTERNAL_TOKEN_HEADER);
    if (!given || !sameSecret(given, internalToken)) {
      throw new AppError('INTERNAL_UNAUTHORIZED', 401, 'Unauthorized', 'A valid internal token is required.');
    }
    if (!TOKEN_HASH.test(String(req.params.tokenHash))) {
      throw new AppError('SESSION_NOT_FOUND', 404, 'Session not found', 'No such session.');
    }
    next();
  };
  router.get('/internal/sessions/:tokenHash', guard, async (req, res) => {
    const found = await sessions.lookup(String(req.params.tokenHash));
    if (found.state === 'active') {
      res.json({ user: found.user, expiresAt: found.expiresAt });
      return;
    }
    if (found.state === 'ended') throw new AppError('SESSION_ENDED', 410, 'Session ended', 'The session was revoked or has expired.');
    throw new AppError('SESSION_NOT_FOUND', 404, 'Session not found', 'No such session.');
  });
  router.post('/internal/sessions/:tokenHash/revoke', guard, async (req, res) => {
    if (!(await sessions.revoke(String(req.params.tokenHash)))) throw new AppError('SESSION_NOT_FOUND', 404, 'Session not found', 'No such session.');
    res.status(204).end();
  });
  return router;
}
