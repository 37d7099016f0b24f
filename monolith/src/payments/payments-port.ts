import type { Currency } from '@strangler/kit';

/** What orders need from payments. Checkout goes through this seam only, so the implementation can
 * be the in-process module (legacy) or an HTTP client of the extracted payments service. */
export interface OrderCharge {
  userId: string;
  /** The caller's bearer token, for implementations that call another service on their behalf. */
  bearerToken: string;
  orderId: string;
  amountMinor: bigint;
  currency: Currency;
  description: string;
  /** Stable per order, so a retried checkout can never charge twice. */
  idempotencyKey: string;
}

export interface ChargedPayment {
  id: string;
  status: string;
  amount: string;
  currency: Currency;
}

export interface PaymentsPort {
  /** Creates a payment for the order and captures it. */
  chargeOrder(charge: OrderCharge): Promise<ChargedPayment>;
}
