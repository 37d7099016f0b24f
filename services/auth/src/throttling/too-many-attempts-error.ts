import { AppError } from '@strangler/kit';

/** 429 AUTH_TOO_MANY_ATTEMPTS; the route turns `retryAfterSeconds` into a `Retry-After` header. The
 * body is the same whether the account or the address was throttled, and whether the account exists. */
export class TooManyAttemptsError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('AUTH_TOO_MANY_ATTEMPTS', 429, 'Too many attempts', 'Too many failed login attempts; retry later.');
  }
}
