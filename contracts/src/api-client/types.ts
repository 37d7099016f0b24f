/**
 * The public API's resources as clients see them. Money is always a decimal string in major units with
 * exactly the currency's minor digits ("19.99", "1000" for JPY, "1.234" for KWD): never a number.
 */
export type DecimalAmount = string;

/** ISO 8601 with milliseconds, UTC: "2026-01-31T12:00:00.000Z". */
export type IsoTimestamp = string;

export type Currency = 'USD' | 'EUR' | 'GBP' | 'CHF' | 'CAD' | 'AUD' | 'SEK' | 'JPY' | 'KWD';

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: IsoTimestamp;
}

export interface Session {
  user: User;
  /** Opaque bearer token. */
  token: string;
  expiresAt: IsoTimestamp;
}

export type PaymentStatus = 'authorized' | 'captured' | 'partially_refunded' | 'refunded' | 'voided';

export interface Payment {
  id: string;
  amount: DecimalAmount;
  currency: Currency;
  status: PaymentStatus;
  description: string | null;
  orderId: string | null;
  capturedAmount: DecimalAmount;
  refundedAmount: DecimalAmount;
  createdAt: IsoTimestamp;
  updatedAt: IsoTimestamp;
}

export interface Refund {
  id: string;
  paymentId: string;
  amount: DecimalAmount;
  currency: Currency;
  createdAt: IsoTimestamp;
}

export type OrderStatus = 'pending' | 'paid';

export interface OrderItem {
  sku: string;
  quantity: number;
  unitPrice: DecimalAmount;
}

export interface Order {
  id: string;
  status: OrderStatus;
  currency: Currency;
  total: DecimalAmount;
  items: OrderItem[];
  paymentId: string | null;
  createdAt: IsoTimestamp;
  updatedAt: IsoTimestamp;
}

/** The payment a checkout made, as checkout reports it. */
export interface CheckoutPayment {
  id: string;
  status: PaymentStatus;
  amount: DecimalAmount;
  currency: Currency;
}

/** Keyset pages: pass `nextCursor` back as `cursor` until it is null. */
export interface PageRequest {
  /** 1 to 100; the API's default is 20. */
  limit?: number;
  cursor?: string;
}
