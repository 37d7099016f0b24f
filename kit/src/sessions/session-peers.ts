import type { Logger } from '../logging/logger';
import { PeerSessionsClient } from './peer-sessions-client';
import type { SessionCacheConfig } from './session-cache-config';
import { SessionValidityCache } from './session-validity-cache';

/**
 * A deployable's peers for sessions as its server wires them from configuration: the client that
 * asks them, and the validity cache over it (started; stop it at shutdown), unless
 * SESSION_CACHE_TTL_MS=0 or there are no peers to ask.
 */
export function sessionPeersFromConfig(
  config: SessionCacheConfig & { AUTH_PEERS: string[]; INTERNAL_API_TOKEN?: string | undefined; PEER_TIMEOUT_MS: number },
  logger: Logger,
): { peers: PeerSessionsClient; cache: SessionValidityCache | undefined } {
  const peers = new PeerSessionsClient({
    peers: config.AUTH_PEERS,
    internalToken: config.INTERNAL_API_TOKEN,
    timeoutMs: config.PEER_TIMEOUT_MS,
    logger: logger.child({ component: 'peer-sessions' }),
  });
  if (!peers.enabled || config.SESSION_CACHE_TTL_MS === 0) return { peers, cache: undefined };
  const cache = new SessionValidityCache({
    peers,
    ttlMs: config.SESSION_CACHE_TTL_MS,
    revocationBoundMs: config.SESSION_REVOCATION_BOUND_MS,
    logger: logger.child({ component: 'session-cache' }),
  });
  cache.start();
  return { peers, cache };
}
