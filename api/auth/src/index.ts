/**
 * The auth API module: the auth code both sides run during the migration (docs/decisions/0011, 0026–0029):
 * the public API (request schemas, error codes, user and session JSON, session tokens, the
 * `sessions` table, the Express router), one password policy (argon2id, verifying and re-hashing
 * older schemes, bounded hashing), one login throttle, one login check, the email reservation that
 * keeps one account per email across both sides, and the internal endpoints the sides call on each
 * other. Each side brings its own storage of users and credentials.
 */
export { authRoutes, type AuthUseCases } from './auth-routes';
export { describeAuthApi } from './auth-openapi';
export { authErrors, RetryLaterError } from './auth-errors';
export { loginSchema, registerSchema, type LoginInput, type RegisterInput } from './auth-schemas';
export { sessionJson, userJson, type IssuedSession, type User } from './user';
export { newSession } from './new-session';
export { SessionRepository, type NewSession } from './session-repository';
export { authConfigShape, throttleWindowFitsRedis, THROTTLE_WINDOW_ISSUE, type AuthConfig } from './auth-config';
export { buildAuthSecurity, type AuthSecurity } from './auth-security';
export { internalAuthRoutes } from './internal-auth-routes';
export { verifyLogin, type LoginAccount, type VerifiedLogin } from './login/verify-login';
export { createAuthUseCases, type AuthStorage, type AuthTransaction, type AuthUseCaseDeps } from './auth-use-cases';
export {
  ARGON2ID_SCHEME,
  LEGACY_SHA256_SCHEME,
  PASSWORD_SCHEMES,
  SCRYPT_SCHEME,
  type Credential,
} from './passwords/credential';
export { CURRENT_ARGON2_PARAMS, formatArgon2Params, hashWithArgon2id, parseArgon2Params, type Argon2Params } from './passwords/argon2id';
export { formatScryptParams, parseScryptParams, verifyScrypt, type ScryptParams } from './passwords/scrypt';
export { legacySha256, verifyLegacySha256 } from './passwords/legacy-sha256';
export { HashingGate, type HashingLimits } from './passwords/hashing-gate';
export { PasswordHasher, type PasswordCheck, type PasswordHashing } from './passwords/password-hasher';
export { DEFAULT_LOGIN_THROTTLE_LIMITS, LoginThrottle, type LoginThrottleLimits, type ThrottleEvent, type ThrottleSharing } from './throttling/login-throttle';
export { PeerThrottleSharing } from './throttling/peer-throttle-sharing';
export { clientAddressKey } from './throttling/client-address-key';
export { connectThrottleRedis } from './throttling/throttle-redis';
export { EmailClaimRepository, type ClaimOutcome } from './registration/email-claim-repository';
export { EmailReservations, EMAIL_CLAIM_TTL_MS, type EmailReservation } from './registration/email-reservations';
export { PeerEmailClaims } from './registration/peer-email-claims';
