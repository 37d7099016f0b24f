import { authApi, type AuthApi } from './auth-api';
import { HttpTransport, type ApiClientOptions, type TokenSource } from './http-transport';
import { ordersApi, type OrdersApi } from './orders-api';
import { paymentsApi, type PaymentsApi } from './payments-api';

export interface ApiClient {
  auth: AuthApi;
  payments: PaymentsApi;
  orders: OrdersApi;
  /** The same client acting with another token, e.g. `client.withToken(session.token)` after login. */
  withToken(token: TokenSource | undefined): ApiClient;
}

function clientOver(http: HttpTransport): ApiClient {
  return {
    auth: authApi(http),
    payments: paymentsApi(http),
    orders: ordersApi(http),
    withToken: (token) => clientOver(http.withToken(token)),
  };
}

/** The typed client of the public API (auth, payments, orders), whichever side serves each route. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  return clientOver(new HttpTransport(options));
}
