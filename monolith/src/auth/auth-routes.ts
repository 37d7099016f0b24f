import { Router, type RequestHandler } from 'express';
import { parseInput } from '@strangler/kit';
import { loginSchema, registerSchema } from './auth-schemas';
import { sessionJson, userJson } from './user-json';
import type { AuthUseCases } from './auth-use-cases';
import type { User } from './user-repository';

export function authRoutes(auth: AuthUseCases, authenticate: RequestHandler): Router {
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
    res.json({ user: userJson(res.locals.user as User) });
  });
  router.post('/api/auth/logout', authenticate, async (_req, res) => {
    await auth.logout(res.locals.bearerToken as string);
    res.status(204).end();
  });
  return router;
}
