import { createApiClient, type Currency, type Order, type OrderItemInput } from '../../../src';
import type { ProviderUnderTest } from '../support/provider-under-test';
import { logInNewUser } from './session-states';
import { arrayParam, stringParam, type StateHandlers } from './state-params';

const DEFAULT_ITEMS: OrderItemInput[] = [{ sku: 'BEANS-1KG', quantity: 2, unitPrice: '12.50' }];

/** States of the orders API (the monolith only), set up through its public API. Each logs in a fresh
 * user and returns `token` and `orderId`. */
export function ordersStates(provider: ProviderUnderTest): StateHandlers {
  async function pendingOrder(params: unknown): Promise<{ token: string; order: Order }> {
    const { token } = await logInNewUser(provider);
    const order = await createApiClient({ baseUrl: provider.url, token }).orders.create({
      items: arrayParam(params, 'items', DEFAULT_ITEMS),
      currency: stringParam(params, 'currency', 'USD') as Currency,
    });
    return { token, order };
  }

  return {
    /** Params (optional): items, currency. */
    'the user has a pending order': async (params) => {
      const { token, order } = await pendingOrder(params);
      return { token, orderId: order.id };
    },

    /** Params (optional): items, currency. Checked out, so paid. */
    'the user has a paid order': async (params) => {
      const { token, order } = await pendingOrder(params);
      await createApiClient({ baseUrl: provider.url, token }).orders.checkout(order.id);
      return { token, orderId: order.id };
    },
  };
}
