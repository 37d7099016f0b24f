export type { SessionUser, SessionLookup, LocalSessions } from './session-lookup';
export { PeerSessionsClient, INTERNAL_TOKEN_HEADER, type PeerSessionsOptions } from './peer-sessions-client';
export { internalSessionRoutes } from './internal-session-routes';
export { SessionAuthenticator, sessionErrors, hashToken, bearerTokenFrom } from './session-authenticator';
export { bearerAuthentication } from './bearer-authentication';
