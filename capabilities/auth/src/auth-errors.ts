import { AppError } from '@strangler/kit';

/**
 * Stable, public error codes of the auth API, one set for both sides: clients must not tell the sides
 * apart. Never reuse a retired code. (AUTH_UNAUTHENTICATED and the session-store codes are the kit's
 * `sessionErrors`, shared by every deployable's bearer authentication.)
 */
export const authErrors = {
  emailTaken: () => new AppError('AUTH_EMAIL_TAKEN', 409, 'Email already registered', 'An account with this email already exists.'),
  invalidCredentials: () =>
    new AppError('AUTH_INVALID_CREDENTIALS', 401, 'Invalid credentials', 'The email or password is incorrect.'),
  tooManyAttempts: (retryAfterSeconds: number) => new TooManyAttemptsError(retryAfterSeconds),
};

/** 429 AUTH_TOO_MANY_ATTEMPTS; the login route turns `retryAfterSeconds` into a `Retry-After` header.
 * The body is the same whether the account or the address was throttled, and whether the account exists. */
export class TooManyAttemptsError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('AUTH_TOO_MANY_ATTEMPTS', 429, 'Too many attempts', 'Too many failed login attempts; retry later.');
  }
}
