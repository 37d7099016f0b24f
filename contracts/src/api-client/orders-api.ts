import { segment, type HttpTransport } from './http-transport';
import type { CheckoutPayment, Currency, DecimalAmount, Order, PageRequest } from './types';

export interface OrderItemInput {
  sku: string;
  /** 1 to 1000. */
  quantity: number;
  unitPrice: DecimalAmount;
}

export interface CreateOrderInput {
  items: ReadonlyArray<OrderItemInput>;
  /** USD when absent. */
  currency?: Currency;
}

export interface OrderPage {
  orders: Order[];
  nextCursor: string | null;
}

/**
 * `/api/orders/*`, the caller's own orders. Failures: 404 ORDER_NOT_FOUND, 409 ORDER_ALREADY_PAID
 * (checkout), 400 VALIDATION_FAILED, 401 AUTH_UNAUTHENTICATED.
 */
export function ordersApi(http: HttpTransport) {
  return {
    async create(input: CreateOrderInput): Promise<Order> {
      return (await http.send<{ order: Order }>({ method: 'POST', path: '/api/orders', body: input })).order;
    },

    async get(id: string): Promise<Order> {
      return (await http.send<{ order: Order }>({ method: 'GET', path: `/api/orders/${segment(id)}` })).order;
    },

    list: (page: PageRequest = {}): Promise<OrderPage> =>
      http.send<OrderPage>({ method: 'GET', path: '/api/orders', query: { limit: page.limit, cursor: page.cursor } }),

    /** Pays the order's total (created and captured). Safe to retry: it never charges twice. */
    checkout: (id: string): Promise<{ order: Order; payment: CheckoutPayment }> =>
      http.send<{ order: Order; payment: CheckoutPayment }>({ method: 'POST', path: `/api/orders/${segment(id)}/checkout` }),
  };
}

export type OrdersApi = ReturnType<typeof ordersApi>;
