import { randomUUID } from 'node:crypto';
import { createApiClient, type Currency, type Payment } from '../../../src';
import type { ProviderUnderTest } from '../support/provider-under-test';
import { logInNewUser } from './session-states';
import { stringParam, type StateHandlers } from './state-params';

/**
 * States of the payments API, set up through the provider's own public API, so one implementation
 * serves the monolith and the payments service alike. Each state logs in a fresh user and returns
 * `token` and `paymentId` for the interaction's request.
 */
export function paymentsStates(provider: ProviderUnderTest): StateHandlers {
  async function authorizedPayment(params: unknown): Promise<{ token: string; payment: Payment }> {
    const { token } = await logInNewUser(provider);
    const payments = createApiClient({ baseUrl: provider.url, token }).payments;
    const payment = await payments.create(
      {
        amount: stringParam(params, 'amount', '19.99'),
        currency: stringParam(params, 'currency', 'USD') as Currency,
        description: stringParam(params, 'description', '') || null,
      },
      { idempotencyKey: randomUUID() },
    );
    return { token, payment };
  }

  return {
    /** Params (optional): amount, currency, description. */
    'the user has an authorized payment': async (params) => {
      const { token, payment } = await authorizedPayment(params);
      return { token, paymentId: payment.id };
    },

    /** Params (optional): amount, currency, description. Captured in full. */
    'the user has a captured payment': async (params) => {
      const { token, payment } = await authorizedPayment(params);
      await createApiClient({ baseUrl: provider.url, token }).payments.capture(payment.id);
      return { token, paymentId: payment.id };
    },

    /** Params: idempotencyKey, amount, currency: a payment created with that key and body. */
    'the user has created a payment with the idempotency key': async (params) => {
      const { token } = await logInNewUser(provider);
      await createApiClient({ baseUrl: provider.url, token }).payments.create(
        { amount: stringParam(params, 'amount'), currency: stringParam(params, 'currency') as Currency },
        { idempotencyKey: stringParam(params, 'idempotencyKey') },
      );
      return { token };
    },
  };
}
