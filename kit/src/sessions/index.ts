export type { SessionUser, SessionLookup, LocalSessions, Revocations } from './session-lookup';
export { PeerSessionsClient, INTERNAL_TOKEN_HEADER, type PeerSessionsOptions } from './peer-sessions-client';
export { internalSessionRoutes, SESSION_PROTOCOL_HEADER } from './internal-session-routes';
export { requireInternalToken, callInternal } from './internal-api';
export { SessionAuthenticator, sessionErrors, hashToken, bearerTokenFrom } from './session-authenticator';
export { SessionValidityCache, type SessionValidityCacheOptions } from './session-validity-cache';
export { sessionCacheShape, type SessionCacheConfig } from './session-cache-config';
export { sessionPeersFromConfig } from './session-peers';
export { bearerAuthentication } from './bearer-authentication';
