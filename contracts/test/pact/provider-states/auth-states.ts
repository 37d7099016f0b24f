import { createApiClient, ProblemError } from '../../../src';
import type { ProviderUnderTest } from '../support/provider-under-test';
import { stringParam, type StateHandlers } from './state-params';

/** States of the auth API, set up through the provider's own registration and login. */
export function authStates(provider: ProviderUnderTest): StateHandlers {
  return {
    /** Params: email, password, name. Idempotent: several interactions may name the same user. */
    'a user is registered': async (params) => {
      const user = {
        email: stringParam(params, 'email'),
        password: stringParam(params, 'password'),
        name: stringParam(params, 'name', 'Contract User'),
      };
      const auth = createApiClient({ baseUrl: provider.sessionsUrl }).auth;
      try {
        await auth.register(user);
      } catch (error) {
        if (!(error instanceof ProblemError && error.code === 'AUTH_EMAIL_TAKEN')) throw error;
        // Registered by an earlier interaction: fine if it is the same user, which login proves.
        await auth.login({ email: user.email, password: user.password });
      }
      return undefined;
    },

    /**
     * Params: email. Every verification starts on a fresh, empty database and the pacts register such
     * an email nowhere else, so there is nothing to remove; were it taken, the interaction would fail
     * loudly (409), never pass by accident.
     */
    'no user is registered with the email': async () => undefined,
  };
}
