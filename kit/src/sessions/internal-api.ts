import type { RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { secretsEqual } from '../security/secrets-equal';

/** The header carrying the shared secret of the internal endpoints the sides call on each other. */
export const INTERNAL_TOKEN_HEADER = 'x-internal-token';

/** Guards an internal endpoint: 401 INTERNAL_UNAUTHORIZED unless the caller holds the shared secret. */
export function requireInternalToken(internalToken: string): RequestHandler {
  return (req, _res, next) => {
    const given = req.get(INTERNAL_TOKEN_HEADER);
    if (!given || !secretsEqual(given, internalToken)) {
      throw new AppError('INTERNAL_UNAUTHORIZED', 401, 'Unauthorized', 'A valid internal token is required.');
    }
    next();
  };
}

/** One call to a peer's internal endpoint: the shared secret, JSON in, a deadline. */
export function callInternal(
  url: string,
  options: { method: string; internalToken: string | undefined; timeoutMs: number; body?: unknown; headers?: Record<string, string> },
): Promise<Response> {
  return fetch(url, {
    method: options.method,
    headers: {
      [INTERNAL_TOKEN_HEADER]: options.internalToken ?? '',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
}
