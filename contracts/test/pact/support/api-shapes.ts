import type { PaymentStatus } from '../../../src';
import { examples } from './consumer-pact';
import { bearerFromState, currency, decimalAmount, id, isoTimestamp, JSON_CONTENT_TYPE, pathFromState, problem, PROBLEM_CONTENT_TYPE, string, validationProblem } from './matchers';

/**
 * The answers and request parts several consumers' interactions share, built from the shape
 * vocabulary in matchers.ts: one place to say what a payment, a problem answer or a session header
 * looks like, so two consumers cannot drift apart on the same thing.
 */

/** The Authorization header of a request made with the token the provider state issued. */
export const withSession = () => ({ authorization: bearerFromState(examples.token) });

/** A JSON answer. */
export const jsonAnswer = <T>(status: number, body: T) => ({ status, headers: JSON_CONTENT_TYPE, body });

/**
 * An application/problem+json answer: the status and stable code exactly, the prose by type, and
 * `extra` members the problem carries for clients (e.g. `refundable`).
 */
export const problemAnswer = (status: number, code: string, example: { title: string; detail: string }, extra: Record<string, unknown> = {}) => ({
  status,
  headers: PROBLEM_CONTENT_TYPE,
  body: { ...problem(status, code, example), ...extra },
});

/** 400 VALIDATION_FAILED naming the offending field. */
export const validationAnswer = (example: { field: string; message: string }) => ({ status: 400, headers: PROBLEM_CONTENT_TYPE, body: validationProblem(example) });

/** 401 AUTH_UNAUTHENTICATED: no token, or one nobody issued. */
export const unauthenticatedAnswer = () => problemAnswer(401, 'AUTH_UNAUTHENTICATED', { title: 'Unauthenticated', detail: 'A valid bearer token is required.' });

/** 409 PAYMENT_INVALID_TRANSITION, e.g. capturing a payment that is already captured. */
export const invalidTransitionAnswer = (from: PaymentStatus, to: PaymentStatus) =>
  problemAnswer(409, 'PAYMENT_INVALID_TRANSITION', { title: 'Invalid payment transition', detail: `A payment cannot go from ${from} to ${to}.` });

/** `/api/payments/<the state's payment><suffix>`. */
export const paymentPath = (suffix = '') => pathFromState(`/api/payments/\${paymentId}${suffix}`, `/api/payments/${examples.paymentId}${suffix}`);

/** `/api/orders/<the state's order><suffix>`. */
export const orderPath = (suffix = '') => pathFromState(`/api/orders/\${orderId}${suffix}`, `/api/orders/${examples.orderId}${suffix}`);

/** What every payments client reads of a payment: exact status (clients branch on it), money as decimal strings. */
export const paymentCore = (status: PaymentStatus, example: { amount: string; currency: string; captured: string }) => ({
  id: id(examples.paymentId),
  amount: decimalAmount(example.amount),
  currency: currency(example.currency),
  status,
  capturedAmount: decimalAmount(example.captured),
});

/** The whole payment a web client shows (a 19.99 USD payment for coffee beans, no order). */
export const paymentShape = (status: PaymentStatus, amounts: { amount: string; captured: string; refunded: string }) => ({
  ...paymentCore(status, { amount: amounts.amount, currency: 'USD', captured: amounts.captured }),
  description: string('Coffee beans'),
  orderId: null,
  refundedAmount: decimalAmount(amounts.refunded),
  createdAt: isoTimestamp(examples.createdAt),
  updatedAt: isoTimestamp(examples.createdAt),
});
