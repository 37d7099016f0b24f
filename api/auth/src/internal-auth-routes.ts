import type { Router } from 'express';
import { internalSessionRoutes, type LocalSessions } from '@strangler/kit';
import type { EmailClaimRepository } from './registration/email-claim-repository';
import { EMAIL_CLAIM_TTL_MS } from './registration/email-reservations';
import { internalEmailClaimRoutes } from './registration/internal-email-claim-routes';
import type { LoginThrottle } from './throttling/login-throttle';
import { internalThrottleRoutes } from './throttling/peer-throttle-sharing';

/**
 * Everything a side that issues sessions answers its peers on (shared secret in x-internal-token;
 * none of it exists without INTERNAL_API_TOKEN): sessions and their revocation feed (0003, 0027),
 * email claims (0028) and login-throttle events (0029).
 */
export function internalAuthRoutes(deps: {
  sessions: LocalSessions;
  emailClaims: EmailClaimRepository;
  throttle: LoginThrottle;
  internalToken: string | undefined;
}): Router[] {
  return [
    internalSessionRoutes(deps.sessions, deps.internalToken),
    internalEmailClaimRoutes(deps.emailClaims, EMAIL_CLAIM_TTL_MS, deps.internalToken),
    internalThrottleRoutes(deps.throttle, deps.internalToken),
  ];
}
