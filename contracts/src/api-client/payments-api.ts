import { segment, type HttpTransport } from './http-transport';
import type { Currency, DecimalAmount, PageRequest, Payment, Refund } from './types';

export interface CreatePaymentInput {
  amount: DecimalAmount;
  currency: Currency;
  description?: string | null;
  orderId?: string | null;
}

/**
 * Makes a write safe to retry: the same key with the same request replays the first answer; the
 * same key with another request is 422 IDEMPOTENCY_KEY_REUSED. Keep one key per user intent.
 */
export interface Idempotent {
  idempotencyKey: string;
}

export interface PaymentPage {
  payments: Payment[];
  nextCursor: string | null;
}

const idempotencyHeader = (options?: Partial<Idempotent>): Record<string, string> =>
  options?.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {};

/**
 * `/api/payments/*`, the caller's own payments. Failures: 404 PAYMENT_NOT_FOUND (unknown or someone
 * else's), 409 PAYMENT_INVALID_TRANSITION, 409 PAYMENT_REFUND_EXCEEDS_CAPTURED, 422
 * IDEMPOTENCY_KEY_REUSED, 400 IDEMPOTENCY_KEY_REQUIRED / VALIDATION_FAILED, 401 AUTH_UNAUTHENTICATED.
 */
export function paymentsApi(http: HttpTransport) {
  const write = async (path: string, body: unknown, options?: Partial<Idempotent>): Promise<Payment> =>
    (await http.send<{ payment: Payment }>({ method: 'POST', path, body, headers: idempotencyHeader(options) })).payment;

  return {
    /** Authorizes a payment (201, status `authorized`). The API requires an Idempotency-Key here. */
    create: (input: CreatePaymentInput, options: Idempotent): Promise<Payment> => write('/api/payments', input, options),

    async get(id: string): Promise<Payment> {
      return (await http.send<{ payment: Payment }>({ method: 'GET', path: `/api/payments/${segment(id)}` })).payment;
    },

    /** Newest first. */
    list: (page: PageRequest = {}): Promise<PaymentPage> =>
      http.send<PaymentPage>({ method: 'GET', path: '/api/payments', query: { limit: page.limit, cursor: page.cursor } }),

    capture: (id: string, options?: Partial<Idempotent>): Promise<Payment> =>
      write(`/api/payments/${segment(id)}/capture`, undefined, options),

    void: (id: string, options?: Partial<Idempotent>): Promise<Payment> => write(`/api/payments/${segment(id)}/void`, undefined, options),

    /** Refunds part or all of what was captured, never more. */
    refund: (id: string, amount: DecimalAmount, options?: Partial<Idempotent>): Promise<{ refund: Refund; payment: Payment }> =>
      http.send<{ refund: Refund; payment: Payment }>({
        method: 'POST',
        path: `/api/payments/${segment(id)}/refunds`,
        body: { amount },
        headers: idempotencyHeader(options),
      }),
  };
}

export type PaymentsApi = ReturnType<typeof paymentsApi>;
