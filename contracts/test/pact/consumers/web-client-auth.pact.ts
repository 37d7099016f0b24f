import { createApiClient, ProblemError } from '../../../src';
import { jsonAnswer, problemAnswer, unauthenticatedAnswer, validationAnswer, withSession } from '../support/api-shapes';
import { consumerPact, examples, failureOf } from '../support/consumer-pact';
import { bearerToken, email, id, isoTimestamp, PROBLEM_CONTENT_TYPE, string } from '../support/matchers';

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
        .willRespondWith(jsonAnswer(201, sessionShape(newUser.email)));

      await pact.executeTest(async (server) => {
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
        .willRespondWith(problemAnswer(409, 'AUTH_EMAIL_TAKEN', { title: 'Email already registered', detail: 'An account with this email already exists.' }));

      await pact.executeTest(async (server) => {
        const failure = await failureOf(createApiClient({ baseUrl: server.url }).auth.register(taken));
        expect(failure).toBeInstanceOf(ProblemError);
        expect(failure).toMatchObject({ status: 409, code: 'AUTH_EMAIL_TAKEN' });
      });
    });

    it('refuses an invalid body with 400 VALIDATION_FAILED naming the fields', async () => {
      const invalid = { email: 'not-an-email', password: 'correct horse battery', name: 'Ada Lovelace' };
      pact
        .uponReceiving('a registration with an invalid email')
        .withRequest({ method: 'POST', path: '/api/auth/register', headers: { 'content-type': 'application/json' }, body: invalid })
        .willRespondWith(validationAnswer({ field: 'email', message: 'must be a valid email address' }));

      await pact.executeTest(async (server) => {
        const failure = await failureOf(createApiClient({ baseUrl: server.url }).auth.register(invalid));
        expect(failure).toBeInstanceOf(ProblemError);
        expect(failure?.code).toBe('VALIDATION_FAILED');
        expect(failure?.errors.map((e) => e.field)).toContain('email');
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
        .willRespondWith(jsonAnswer(200, sessionShape(ada.email)));

      await pact.executeTest(async (server) => {
        const session = await createApiClient({ baseUrl: server.url }).auth.login({ email: ada.email, password: ada.password });
        expect(session.token).toBe(examples.token);
        expect(session.user.email).toBe(ada.email);
      });
    });

    const invalidCredentials = () => problemAnswer(401, 'AUTH_INVALID_CREDENTIALS', { title: 'Invalid credentials', detail: 'The email or password is incorrect.' });

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
        .willRespondWith(invalidCredentials());

      await pact.executeTest(async (server) => {
        const failure = await failureOf(createApiClient({ baseUrl: server.url }).auth.login({ email: ada.email, password: 'not the password' }));
        expect(failure).toMatchObject({ status: 401, code: 'AUTH_INVALID_CREDENTIALS' });
      });
    });

    it('answers an unknown email with the same 401', async () => {
      const nobody = { email: 'nobody@example.com', password: 'correct horse battery' };
      pact
        .given('no user is registered with the email', { email: nobody.email })
        .uponReceiving('a login with an unknown email')
        .withRequest({ method: 'POST', path: '/api/auth/login', headers: { 'content-type': 'application/json' }, body: nobody })
        .willRespondWith(invalidCredentials());

      await pact.executeTest(async (server) => {
        const failure = await failureOf(createApiClient({ baseUrl: server.url }).auth.login(nobody));
        expect(failure).toMatchObject({ status: 401, code: 'AUTH_INVALID_CREDENTIALS' });
      });
    });
  });

  describe('me', () => {
    it("returns the token's user", async () => {
      pact
        .given('a user is logged in')
        .uponReceiving('a request for the current user')
        .withRequest({ method: 'GET', path: '/api/auth/me', headers: withSession() })
        .willRespondWith(jsonAnswer(200, { user: userShape(ada.email) }));

      await pact.executeTest(async (server) => {
        const user = await createApiClient({ baseUrl: server.url, token: examples.token }).auth.me();
        expect(user).toEqual({ id: examples.userId, email: ada.email, name: 'Ada Lovelace', createdAt: examples.createdAt });
      });
    });

    it('answers a request without a token with 401 AUTH_UNAUTHENTICATED', async () => {
      pact
        .uponReceiving('a request for the current user without a token')
        .withRequest({ method: 'GET', path: '/api/auth/me' })
        .willRespondWith({ ...unauthenticatedAnswer(), headers: { ...PROBLEM_CONTENT_TYPE, 'www-authenticate': 'Bearer' } });

      await pact.executeTest(async (server) => {
        const failure = await failureOf(createApiClient({ baseUrl: server.url }).auth.me());
        expect(failure).toMatchObject({ status: 401, code: 'AUTH_UNAUTHENTICATED' });
      });
    });
  });

  describe('logout', () => {
    it('ends the session with 204', async () => {
      pact
        .given('a user is logged in')
        .uponReceiving('a logout')
        .withRequest({ method: 'POST', path: '/api/auth/logout', headers: withSession() })
        .willRespondWith({ status: 204 });

      await pact.executeTest(async (server) => {
        await expect(createApiClient({ baseUrl: server.url, token: examples.token }).auth.logout()).resolves.toBeUndefined();
      });
    });
  });
});
