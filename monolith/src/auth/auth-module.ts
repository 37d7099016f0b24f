import type { Knex } from 'knex';
import type { RequestHandler, Router } from 'express';
import { bearerAuthentication, internalSessionRoutes, SessionAuthenticator, type Clock, type PeerSessionsClient } from '@strangler/kit';
import { authRoutes, SessionRepository } from '@strangler/auth-capability';
import { createAuthUseCases } from './auth-use-cases';
import { UserRepository } from './user-repository';

export interface AuthModule {
  routers: Router[];
  authenticate: RequestHandler;
}

export interface AuthModuleDeps {
  knex: Knex;
  clock: Clock;
  sessionTtlMs: number;
  /** The other sides that issue sessions (the auth service during a migration). */
  peers?: PeerSessionsClient;
  /** Enables the internal session endpoints peers call. */
  internalToken?: string;
}

export function createAuthModule(deps: AuthModuleDeps): AuthModule {
  const sessionStore = new SessionRepository(deps.knex, deps.clock);
  const auth = createAuthUseCases({
    users: new UserRepository(deps.knex),
    sessions: sessionStore,
    clock: deps.clock,
    sessionTtlMs: deps.sessionTtlMs,
  });
  const sessions = new SessionAuthenticator(sessionStore, deps.peers);
  const authenticate = bearerAuthentication(sessions);
  return {
    routers: [authRoutes(auth, sessions, authenticate), internalSessionRoutes(sessionStore, deps.internalToken)],
    authenticate,
  };
}
