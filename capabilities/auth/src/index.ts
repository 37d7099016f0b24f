/**
 * The auth capability's public API as both sides run it during the migration
 * (docs/decisions/0011): request schemas, error codes, user and session JSON, session tokens, the
 * `sessions` table and the Express router, once. Each side brings its use cases (its own password
 * storage: the monolith's legacy SHA-256, the service's scrypt with rehashing and its throttle).
 */
export { authRoutes, type AuthUseCases } from './auth-routes';
export { authErrors, TooManyAttemptsError } from './auth-errors';
export { loginSchema, registerSchema, type LoginInput, type RegisterInput } from './auth-schemas';
export { sessionJson, userJson, type IssuedSession, type User } from './user';
export { newSession } from './new-session';
export { SessionRepository, type NewSession } from './session-repository';
