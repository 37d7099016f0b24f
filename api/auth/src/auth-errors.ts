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
  tooManyAttempts: (retryAfterSeconds: number) =>
    new RetryLaterError('AUTH_TOO_MANY_ATTEMPTS', 429, 'Too many attempts', 'Too many failed login attempts; retry later.', retryAfterSeconds),
  /** More password checks are waiting than this instance lets queue: shed now rather than time out. */
  busy: (retryAfterSeconds: number) =>
    new RetryLaterError('AUTH_BUSY', 503, 'Busy', 'Too many logins are being checked right now; retry shortly.', retryAfterSeconds),
  /** The other side could not confirm the email is free while auth is in transition (fail closed). */
  registrationUnavailable: (retryAfterSeconds: number) =>
    new RetryLaterError(
      'AUTH_REGISTRATION_UNAVAILABLE',
      503,
      'Registration unavailable',
      'Registration cannot be completed right now; retry shortly.',
      retryAfterSeconds,
    ),
};

/**
 * An answer that tells the client when to come back: the routes turn `retryAfterSeconds` into a
 * `Retry-After` header. The body of a 429 is the same whether the account or the address was
 * throttled, and whether the account exists.
 */
export class RetryLaterError extends AppError {
  constructor(code: string, status: number, title: string, detail: string, readonly retryAfterSeconds: number) {
    super(code, status, title, detail, status === 503 ? { retryable: true } : {});
  }
}
