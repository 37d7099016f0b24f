import type { HttpTransport } from './http-transport';
import type { Session, User } from './types';

export interface RegisterInput {
  email: string;
  /** 8 to 128 characters. */
  password: string;
  name: string;
}

export interface LoginInput {
  email: string;
  password: string;
}

/**
 * `/api/auth/*`. Failures: 409 AUTH_EMAIL_TAKEN (register), 401 AUTH_INVALID_CREDENTIALS (login,
 * for an unknown email and a wrong password alike), 401 AUTH_UNAUTHENTICATED (me, logout), 400
 * VALIDATION_FAILED naming the fields.
 */
export function authApi(http: HttpTransport) {
  return {
    register: (input: RegisterInput): Promise<Session> =>
      http.send<Session>({ method: 'POST', path: '/api/auth/register', body: input, authenticated: false }),

    login: (input: LoginInput): Promise<Session> =>
      http.send<Session>({ method: 'POST', path: '/api/auth/login', body: input, authenticated: false }),

    async me(): Promise<User> {
      return (await http.send<{ user: User }>({ method: 'GET', path: '/api/auth/me' })).user;
    },

    /** Ends the session of the current token (204). */
    async logout(): Promise<void> {
      await http.send<undefined>({ method: 'POST', path: '/api/auth/logout' });
    },
  };
}

export type AuthApi = ReturnType<typeof authApi>;
