import { startPaymentsStack } from '@strangler/payments-service/testing';
import type { Side } from './sides';

/**
 * The payments API as the extracted payments service serves it. The service keeps no users or
 * sessions: users register on a real monolith, whose tokens the service checks through its session
 * peers (AUTH_PEERS + INTERNAL_API_TOKEN), as it does in production.
 */
export const paymentsServiceSide: Side = {
  name: 'payments service',
  async start(dialect, options) {
    const stack = await startPaymentsStack(dialect, options);
    return {
      url: stack.service.url,
      api: stack.service.api,
      authApi: stack.monolith.api,
      stop: () => stack.stop(),
    };
  },
};
