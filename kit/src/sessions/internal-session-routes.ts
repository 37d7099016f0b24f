import { Router, type RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { requireInternalToken } from './internal-api';
import type { LocalSessions } from './session-lookup';

const TOKEN_HASH = /^[0-9a-f]{64}$/;

/**
 * Sent by callers that understand answers in the body (protocol 2): "unknown to me" is then a 200
 * `{state: 'unknown'}` — the routine answer of a side asked about the other side's token — rather
 * than a 404 every access log shows as a warning. Callers without it get the first protocol's
 * 200/404/410 and 204/404, so sides of either version can ask each other during a rollout.
 */
export const SESSION_PROTOCOL_HEADER = 'x-session-protocol';

const notFound = () => new AppError('SESSION_NOT_FOUND', 404, 'Session not found', 'No such session.');

/**
 * How the other sides ask this side about sessions it issued: `GET /internal/sessions/:tokenHash`,
 * `POST /internal/sessions/:tokenHash/revoke`, and the revocation feed `GET
 * /internal/sessions/revocations?since=<epoch ms>` their validity caches poll (decision 0027).
 * Answers from this side's own store only (never asks further), so peers can point at each other
 * without loops. Without an internal token configured the routes do not exist.
 */
export function internalSessionRoutes(sessions: LocalSessions, internalToken: string | undefined): Router {
  const router = Router();
  if (!internalToken) return router;
  const guard = requireInternalToken(internalToken);
  const tokenHash: RequestHandler = (req, _res, next) => {
    if (!TOKEN_HASH.test(String(req.params.tokenHash))) throw notFound();
    next();
  };
  router.get('/internal/sessions/revocations', guard, async (req, res) => {
    const since = parseSince(req.query.since);
    const revoked = await sessions.revokedSince(since);
    res.locals.routine = true;
    res.json({ now: revoked.now.getTime(), revoked: revoked.tokenHashes, truncated: revoked.truncated });
  });
  router.get('/internal/sessions/:tokenHash', guard, tokenHash, async (req, res) => {
    const found = await sessions.lookup(String(req.params.tokenHash));
    if (req.get(SESSION_PROTOCOL_HEADER) === '2') {
      res.json(found);
      return;
    }
    if (found.state === 'active') {
      res.json({ user: found.user, expiresAt: found.expiresAt });
      return;
    }
    if (found.state === 'ended') throw new AppError('SESSION_ENDED', 410, 'Session ended', 'The session was revoked or has expired.');
    throw notFound();
  });
  router.post('/internal/sessions/:tokenHash/revoke', guard, tokenHash, async (req, res) => {
    const revoked = await sessions.revoke(String(req.params.tokenHash));
    if (req.get(SESSION_PROTOCOL_HEADER) === '2') {
      res.json({ revoked });
      return;
    }
    if (!revoked) throw notFound();
    res.status(204).end();
  });
  return router;
}

function parseSince(value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) {
    throw new AppError('VALIDATION_FAILED', 400, 'Request validation failed', 'since: must be epoch milliseconds');
  }
  return new Date(Number(value));
}
