import { AppError } from '@strangler/kit';

/** The monolith's codes, titles and details, word for word: clients must not tell the sides apart. */
export const authErrors = {
  emailTaken: () => new AppError('AUTH_EMAIL_TAKEN', 409, 'Email already registered', 'An account with this email already exists.'),
  invalidCredentials: () =>
    new AppError('AUTH_INVALID_CREDENTIALS', 401, 'Invalid credentials', 'The email or password is incorrect.'),
};
