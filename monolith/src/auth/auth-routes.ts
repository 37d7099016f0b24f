import { Router, type RequestHandler } from 'express';
import { parseInput, type SessionAuthenticator, type SessionUser } from '@strangler/kit';
import { loginSchema, registerSchema } from './auth-schemas';
import { sessionJson } from './user-json';
import type { AuthUseCases } from './auth-use-cases';

export function authRoutes(auth: AuthUseCases, sessions: SessionAuthenticator, authenticate: RequestHandler): Router {
  const router = Router();
  router.post('/api/auth/register', async (req, res) => {
    const session = await auth.register(parseInput(registerSchema, req.body));
    res.status(201).json(sessionJson(session));
  });
  router.post('/api/auth/login', async (req, res) => {
    const session = await auth.login(parseInput(loginSchema, req.body));
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
