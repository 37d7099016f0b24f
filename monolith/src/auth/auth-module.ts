import type { Knex } from 'knex';
import type { RequestHandler, Router } from 'express';
import type { Clock } from '@strangler/kit';
import { createAuthUseCases } from './auth-use-cases';
import { authenticateMiddleware } from './authenticate';
import { authRoutes } from './auth-routes';
import { SessionRepository } from './session-repository';
import { UserRepository } from './user-repository';

export interface AuthModule {
  router: Router;
  authenticate: RequestHandler;
}

export function createAuthModule(deps: { knex: Knex; clock: Clock; sessionTtlMs: number }): AuthModule {
  const auth = createAuthUseCases({
    users: new UserRepository(deps.knex),
    sessions: new SessionRepository(deps.knex),
    clock: deps.clock,
    sessionTtlMs: deps.sessionTtlMs,
  });
  const authenticate = authenticateMiddleware(auth);
  return { router: authRoutes(auth, authenticate), authenticate };
}
