import { randomUUID } from 'node:crypto';
import { createApiClient, type Session } from '../../../src';
import type { ProviderUnderTest } from '../support/provider-under-test';
import type { StateHandlers } from './state-params';

/** A fresh user logged in where the provider gets its sessions (itself, or its session peer). */
export async function logInNewUser(provider: ProviderUnderTest): Promise<Session> {
  return createApiClient({ baseUrl: provider.sessionsUrl }).auth.register({
    email: `contract-${randomUUID()}@example.com`,
    password: 'correct horse battery',
    name: 'Contract User',
  });
}

/** Named by every pact whose requests carry a bearer token. */
export function sessionStates(provider: ProviderUnderTest): StateHandlers {
  return {
    /** Returns `token`, `userId` and `email`. */
    'a user is logged in': async () => {
      const session = await logInNewUser(provider);
      return { token: session.token, userId: session.user.id, email: session.user.email };
    },
  };
}
