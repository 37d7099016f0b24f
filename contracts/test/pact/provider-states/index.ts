import type { ProviderUnderTest } from '../support/provider-under-test';
import { authStates } from './auth-states';
import { ordersStates } from './orders-states';
import { paymentsStates } from './payments-states';
import { sessionStates } from './session-states';
import type { StateHandlers } from './state-params';

/**
 * The provider states each API implements, whichever side serves it. Test code only: nothing here is
 * reachable from the apps' production routers; states are set up through the public API.
 */
export function providerStates(api: string, provider: ProviderUnderTest): StateHandlers {
  switch (api) {
    case 'auth':
      return { ...sessionStates(provider), ...authStates(provider) };
    case 'payments':
      return { ...sessionStates(provider), ...paymentsStates(provider) };
    case 'orders':
      return { ...sessionStates(provider), ...ordersStates(provider) };
    default:
      return {};
  }
}

export type { StateHandlers } from './state-params';
