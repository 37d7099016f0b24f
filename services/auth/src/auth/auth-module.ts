import type { Knex } from 'knex';
import type { Router } from 'express';
import { bearerAuthentication, SessionAuthenticator, type Clock, type Logger, type PeerSessionsClient, type SessionValidityCache } from '@strangler/kit';
import {
  authRoutes,
  createAuthUseCases,
  EmailReservations,
  internalAuthRoutes,
  type LoginThrottle,
  type PasswordHashing,
  type PeerEmailClaims,
} from '@strangler/auth-api';
import { createAuthStore } from './auth-store';

export interface AuthModuleDeps {
  knex: Knex;
  clock: Clock;
  logger: Logger;
  sessionTtlMs: number;
  passwords: PasswordHashing;
  throttle: LoginThrottle;
  /** The other sides that issue sessions (the monolith during the migration). */
  peers: PeerSessionsClient;
  /** Remembers the peers' answers about their sessions (decision 0027); none = ask every time. */
  sessionCache?: SessionValidityCache | undefined;
  /** The other sides that register users, asked to hold an email before it is registered here. */
  emailPeers: PeerEmailClaims;
  /** Enables the internal endpoints peers call. */
  internalToken: string | undefined;
}

export function createAuthModule(deps: AuthModuleDeps): { routers: Router[] } {
  const store = createAuthStore(deps.knex, deps.clock);
  const auth = createAuthUseCases({
    storage: store,
    passwords: deps.passwords,
    throttle: deps.throttle,
    reservations: new EmailReservations(store.emailClaims, deps.emailPeers),
    clock: deps.clock,
    sessionTtlMs: deps.sessionTtlMs,
    logger: deps.logger,
  });
  const sessions = new SessionAuthenticator(store.sessions, deps.peers, deps.sessionCache);
  const authenticate = bearerAuthentication(sessions);
  return {
    routers: [
      authRoutes(auth, sessions, authenticate),
      ...internalAuthRoutes({ sessions: store.sessions, emailClaims: store.emailClaims, throttle: deps.throttle, internalToken: deps.internalToken }),
    ],
  };
}
