import { AppError } from '@strangler/kit';

export const authErrors = {
  emailTaken: () => new AppError('AUTH_EMAIL_TAKEN', 409, 'Email already registered', 'An account with this email already exists.'),
  invalidCredentials: () =>
    new AppError('AUTH_INVALID_CREDENTIALS', 401, 'Invalid credentials', 'The email or password is incorrect.'),
  unauthenticated: () =>
    new AppError('AUTH_UNAUTHENTICATED', 401, 'Unauthenticated', 'A valid bearer token is required.'),
};
