import type { RequestHandler } from 'express';
import { bearerTokenFrom, secretsEqual } from '@strangler/kit';
import { edgeErrors } from '../proxy/upstream-errors';

/**
 * `Authorization: Bearer <EDGE_ADMIN_TOKEN>` on every admin call, compared in constant time whatever
 * the lengths (kit's secretsEqual). Without a configured token the endpoints are open.
 */
export function adminAuth(adminToken: string | undefined): RequestHandler {
  if (!adminToken) return (_req, _res, next) => next();
  return (req, res, next) => {
    const given = bearerTokenFrom(req.headers.authorization);
    if (given !== undefined && secretsEqual(given, adminToken)) return next();
    res.setHeader('www-authenticate', 'Bearer realm="edge-admin"');
    next(edgeErrors.adminUnauthorized());
  };
}
