import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { bearerTokenFrom } from '@strangler/kit';
import { edgeErrors } from '../proxy/upstream-errors';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * `Authorization: Bearer <EDGE_ADMIN_TOKEN>` on every admin call. Both sides are hashed first so the
 * comparison is constant-time whatever the lengths. Without a configured token the endpoints are open.
 */
export function adminAuth(adminToken: string | undefined): RequestHandler {
  if (!adminToken) return (_req, _res, next) => next();
  const expected = digest(adminToken);
  return (req, res, next) => {
    const given = bearerTokenFrom(req.headers.authorization);
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    res.setHeader('www-authenticate', 'Bearer realm="edge-admin"');
    next(edgeErrors.adminUnauthorized());
  };
}
