import { z } from 'zod';
import { jsonContent, pageQuery, SUPPORTED_CURRENCIES, type ApiRegistry } from '@strangler/kit';
import { PAYMENT_STATUSES } from './payment';
import { createPaymentBody, refundBody } from './payment-request-schemas';

const money = z.string().regex(/^\d+(\.\d+)?$/);
const currency = z.enum(SUPPORTED_CURRENCIES);

/** payment-json.ts's paymentJson. */
const paymentSchema = z.strictObject({
  id: z.uuid(),
  amount: money,
  currency,
  status: z.enum(PAYMENT_STATUSES),
  description: z.string().nullable(),
  orderId: z.string().nullable(),
  capturedAmount: money,
  refundedAmount: money,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

/** payment-json.ts's refundJson. */
const refundSchema = z.strictObject({
  id: z.uuid(),
  paymentId: z.uuid(),
  amount: money,
  currency,
  createdAt: z.iso.datetime(),
});

const idParam = z.object({ id: z.string().meta({ description: 'A payment id (anything else is a 404)' }) });

const idempotencyKey = (required: boolean) => {
  const header = z.string().regex(/^[\x20-\x7e]{1,255}$/).meta({ description: 'Repeating a request with the same key answers it again instead of repeating its effect' });
  return z.object({ 'Idempotency-Key': required ? header : header.optional() });
};

const replayed = { 'Idempotent-Replayed': { schema: { type: 'string' as const, enum: ['true'] }, description: 'Present when this answer is a replay' } };

/** The public payments API as both sides serve it (payment-routes.ts). */
export function describePaymentsApi(api: ApiRegistry): void {
  const payment = api.schema('Payment', paymentSchema);
  const refund = api.schema('Refund', refundSchema);
  const paymentAnswer = z.strictObject({ payment });
  const common = { tags: ['payments'], authenticated: true };
  api.operation({
    ...common,
    method: 'post',
    path: '/api/payments',
    summary: 'Authorize a payment',
    request: { headers: idempotencyKey(true), body: { required: true, content: jsonContent(api.schema('CreatePaymentRequest', createPaymentBody)) } },
    responses: { 201: { description: 'The payment, authorized', headers: replayed, content: jsonContent(paymentAnswer) } },
    problems: [409, 422],
  });
  api.operation({
    ...common,
    method: 'get',
    path: '/api/payments',
    summary: 'The caller\u2019s payments, newest first',
    request: { query: pageQuery },
    responses: { 200: { description: 'A page', content: jsonContent(z.strictObject({ payments: z.array(payment), nextCursor: z.string().nullable() })) } },
  });
  api.operation({
    ...common,
    method: 'get',
    path: '/api/payments/{id}',
    summary: 'One payment',
    request: { params: idParam },
    responses: { 200: { description: 'The payment', content: jsonContent(paymentAnswer) } },
    problems: [404],
  });
  for (const [action, summary] of [
    ['capture', 'Capture an authorized payment'],
    ['void', 'Void an authorized payment'],
  ] as const) {
    api.operation({
      ...common,
      method: 'post',
      path: `/api/payments/{id}/${action}`,
      summary,
      request: { params: idParam, headers: idempotencyKey(false) },
      responses: { 200: { description: 'The payment after the change', headers: replayed, content: jsonContent(paymentAnswer) } },
      problems: [404, 409, 422],
    });
  }
  api.operation({
    ...common,
    method: 'post',
    path: '/api/payments/{id}/refunds',
    summary: 'Refund (part of) a captured payment',
    request: { params: idParam, headers: idempotencyKey(false), body: { required: true, content: jsonContent(api.schema('RefundRequest', refundBody)) } },
    responses: { 201: { description: 'The refund and the payment after it', headers: replayed, content: jsonContent(z.strictObject({ refund, payment })) } },
    problems: [404, 409, 422],
  });
}
