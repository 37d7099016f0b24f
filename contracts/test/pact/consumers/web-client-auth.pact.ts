import { createApiClient, ProblemError } from '../../../src';
import { consumerPact, examples, executeTest } from '../support/consumer-pact';
import {
  bearerFromState,
  bearerToken,
  email,
  id,
  isoTimestamp,
  JSON_CONTENT_TYPE,
  problem,
  PROBLEM_CONTENT_TYPE,
  string,
  validationProblem,
} from '../support/matchers';

const userShape = (exampleEmail: string) => ({
  id: id(examples.userId),
  email: email(exampleEmail),
  name: string('Ada Lovelace'),
  createdAt: isoTimestamp(examples.createdAt),
});

const sessionShape = (exampleEmail: string) => ({
  user: userShape(exampleEmail),
  token: bearerToken(examples.token),
  expiresAt: isoTimestamp(examples.expiresAt),
});

const ada = { email: 'ada@example.com', password: 'correct horse battery', name: 'Ada Lovelace' };

describe('web-client → auth', () => {
  const pact = consumerPact('web-client', 'auth');

  describe('register', () => {
    it('creates the account and returns a session', async () => {
      const newUser = { email: 'new.user@example.com', password: 'correct horse battery', name: 'Ada Lovelace' };
      pact
        .given('no user is registered with the email', { email: newUser.email })
        .uponReceiving('a registration')
        .withRequest({ method: 'POST', path: '/api/auth/register', headers: { 'content-type': 'application/json' }, body: newUser })
        .willRespondWith({ status: 201, headers: JSON_CONTENT_TYPE, body: sessionShape(newUser.email) });

      await executeTest(pact, async (server) => {
        const session = await createApiClient({ baseUrl: server.url }).auth.register(newUser);
        expect(session.token).toBe(examples.token);
        expect(session.user.id).toBe(examples.userId);
        expect(session.user.createdAt).toBe(examples.createdAt);
      });
    });

    it('refuses an email that is taken with 409 AUTH_EMAIL_TAKEN', async () => {
      const taken = { email: 'taken@example.com', password: 'correct horse battery', name: 'Someone Else' };
      pact
        .given('a user is registered', taken)
        .uponReceiving('a registration with an email that is taken')
        .withRequest({ method: 'POST', path: '/api/auth/register', headers: { 'content-type': 'application/json' }, body: taken })
        .willRespondWith({
          status: 409,
          headers: PROBLEM_CONTENT_TYPE,
          body: problem(409, 'AUTH_EMAIL_TAKEN', { title: 'Email already registered', detail: 'An account with this email already exists.' }),
        });

      await executeTest(pact, async (server) => {
        const failure = await createApiClient({ baseUrl: server.url }).auth.register(taken).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(ProblemError);
        expect(failure).toMatchObject({ status: 409, code: 'AUTH_EMAIL_TAKEN' });
      });
    });

    it('refuses an invalid body with 400 VALIDATION_FAILED naming the fields', async () => {
      const invalid = { email: 'not-an-email', password: 'correct horse battery', name: 'Ada Lovelace' };
      pact
        .uponReceiving('a registration with an invalid email')
        .withRequest({ method: 'POST', path: '/api/auth/register', headers: { 'content-type': 'application/json' }, body: invalid })
        .willRespondWith({
          status: 400,
          headers: PROBLEM_CONTENT_TYPE,
          body: validationProblem({ field: 'email', message: 'must be a valid email address' }),
        });

      await executeTest(pact, async (server) => {
        const failure = await createApiClient({ baseUrl: server.url }).auth.register(invalid).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(ProblemError);
        expect((failure as ProblemError).code).toBe('VALIDATION_FAILED');
        expect((failure as ProblemError).errors.map((e) => e.field)).toContain('email');
      });
    });
  });

  describe('login', () => {
    it('returns a session for the right password', async () => {
      pact
        .given('a user is registered', ada)
        .uponReceiving('a login with the right password')
        .withRequest({
          method: 'POST',
          path: '/api/auth/login',
          headers: { 'content-type': 'application/json' },
          body: { email: ada.email, password: ada.password },
        })
        .willRespondWith({ status: 200, headers: JSON_CONTENT_TYPE, body: sessionShape(ada.email) });

      await executeTest(pact, async (server) => {
        const session = await createApiClient({ baseUrl: server.url }).auth.login({ email: ada.email, password: ada.password });
        expect(session.token).toBe(examples.token);
        expect(session.user.email).toBe(ada.email);
      });
    });

    const invalidCredentials = problem(401, 'AUTH_INVALID_CREDENTIALS', {
      title: 'Invalid credentials',
      detail: 'The email or password is incorrect.',
    });

    it('answers a wrong password with 401 AUTH_INVALID_CREDENTIALS', async () => {
      pact
        .given('a user is registered', ada)
        .uponReceiving('a login with a wrong password')
        .withRequest({
          method: 'POST',
          path: '/api/auth/login',
          headers: { 'content-type': 'application/json' },
          body: { email: ada.email, password: 'not the password' },
        })
        .willRespondWith({ status: 401, headers: PROBLEM_CONTENT_TYPE, body: invalidCredentials });

      await executeTest(pact, async (server) => {
        const failure = await createApiClient({ baseUrl: server.url })
          .auth.login({ email: ada.email, password: 'not the password' })
          .catch((error: unknown) => error);
        expect(failure).toMatchObject({ status: 401, code: 'AUTH_INVALID_CREDENTIALS' });
      });
    });

    it('answers an unknown email with the same 401', async () => {
      const nobody = { email: 'nobody@example.com', password: 'correct horse battery' };
      pact
        .given('no user is registered with the email', { email: nobody.email })
        .uponReceiving('a login with an unknown email')
        .withRequest({ method: 'POST', path: '/api/auth/login', headers: { 'content-type': 'application/json' }, body: nobody })
        .willRespondWith({ status: 401, headers: PROBLEM_CONTENT_TYPE, body: invalidCredentials });

      await executeTest(pact, async (server) => {
        const failure = await createApiClient({ baseUrl: server.url }).auth.login(nobody).catch((error: unknown) => error);
        expect(failure).toMatchObject({ status: 401, code: 'AUTH_INVALID_CREDENTIALS' });
      });
    });
  });

  describe('me', () => {
    it("returns the token's user", async () => {
      pact
        .given('a user is logged in')
        .uponReceiving('a request for the current user')
        .withRequest({ method: 'GET', path: '/api/auth/me', headers: { authorization: bearerFromState(examples.token) } })
        .willRespondWith({ status: 200, headers: JSON_CONTENT_TYPE, body: { user: userShape(ada.email) } });

      await executeTest(pact, async (server) => {
        const user = await createApiClient({ baseUrl: server.url, token: examples.token }).auth.me();
        expect(user).toEqual({ id: examples.userId, email: ada.email, name: 'Ada Lovelace', createdAt: examples.createdAt });
      });
    });

    it('answers a request without a token with 401 AUTH_UNAUTHENTICATED', async () => {
      pact
        .uponReceiving('a request for the current user without a token')
        .withRequest({ method: 'GET', path: '/api/auth/me' })
        .willRespondWith({
          status: 401,
          headers: { ...PROBLEM_CONTENT_TYPE, 'www-authenticate': 'Bearer' },
          body: problem(401, 'AUTH_UNAUTHENTICATED', { title: 'Unauthenticated', detail: 'A valid bearer token is required.' }),
        });

      await executeTest(pact, async (server) => {
        const failure = await createApiClient({ baseUrl: server.url }).auth.me().catch((error: unknown) => error);
        expect(failure).toMatchObject({ status: 401, code: 'AUTH_UNAUTHENTICATED' });
      });
    });
  });

  describe('logout', () => {
    it('ends the session with 204', async () => {
      pact
        .given('a user is logged in')
        .uponReceiving('a logout')
        .withRequest({ method: 'POST', path: '/api/auth/logout', headers: { authorization: bearerFromState(examples.token) } })
        .willRespondWith({ status: 204 });

      await executeTest(pact, async (server) => {
        await expect(createApiClient({ baseUrl: server.url, token: examples.token }).auth.logout()).resolves.toBeUndefined();
      });
    });
  });
});
