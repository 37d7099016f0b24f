import { Router, type Request, type RequestHandler, type Response } from 'express';
import { parseInput, type SessionAuthenticator, type SessionUser } from '@strangler/kit';
import { RetryLaterError } from './auth-errors';
import { loginSchema, registerSchema, type LoginInput, type RegisterInput } from './auth-schemas';
import { sessionJson, type IssuedSession } from './user';

/** What a side does behind the routes: its own storage, over the shared password and throttle rules. */
export interface AuthUseCases {
  /** `signal` aborts when the client goes away (a hash still waiting for its turn is then dropped). */
  register(input: RegisterInput, client?: { signal?: AbortSignal | undefined }): Promise<IssuedSession>;
  login(input: LoginInput, client: { address: string; signal?: AbortSignal | undefined }): Promise<IssuedSession>;
}

/** The client's address as express resolves it: X-Forwarded-For only from the proxies the app trusts. */
const clientAddress = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Aborts when the client closes the connection before its answer was sent. */
function clientLeft(res: Response): AbortSignal {
  const left = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) left.abort();
  });
  return left.signal;
}

/** A 429 or 503 that says when to come back carries it as `Retry-After` (seconds). */
async function withRetryAfter<T>(res: Response, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RetryLaterError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    throw error;
  }
}

/**
 * The public auth API. `authenticate` is the side's bearer middleware (kit's `bearerAuthentication`),
 * which leaves the session's user in `res.locals.user` and its token in `res.locals.bearerToken`.
 */
export function authRoutes(auth: AuthUseCases, sessions: SessionAuthenticator, authenticate: RequestHandler): Router {
  const router = Router();
  router.post('/api/auth/register', async (req, res) => {
    const input = parseInput(registerSchema, req.body);
    const session = await withRetryAfter(res, () => auth.register(input, { signal: clientLeft(res) }));
    res.status(201).json(sessionJson(session));
  });
  router.post('/api/auth/login', async (req, res) => {
    const input = parseInput(loginSchema, req.body);
    const session = await withRetryAfter(res, () => auth.login(input, { address: clientAddress(req), signal: clientLeft(res) }));
    res.status(200).json(sessionJson(session));
  });
  router.get('/api/auth/me', authenticate, (_req, res) => {
    const user = res.locals.user as SessionUser;
    res.json({ user: { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt } });
  });
  router.post('/api/auth/logout', authenticate, async (_req, res) => {
    await sessions.logout(res.locals.bearerToken as string);
    res.status(204).end();
  });
  return router;
}
