import { z } from 'zod';
import { jsonContent, pageQuery, SUPPORTED_CURRENCIES, type ApiRegistry } from '@strangler/kit';
import { placeOrderBody } from './order-request-schemas';

const money = z.string().regex(/^\d+(\.\d+)?$/);
const currency = z.enum(SUPPORTED_CURRENCIES);

/** order-json.ts's orderJson. */
const orderSchema = z.strictObject({
  id: z.uuid(),
  status: z.enum(['pending', 'paid']),
  currency,
  total: money,
  items: z.array(z.strictObject({ sku: z.string(), quantity: z.number().int(), unitPrice: money })),
  paymentId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

/** What checkout says of the payment it made (payments-port.ts's ChargedPayment). */
const chargedPayment = z.strictObject({ id: z.uuid(), status: z.string(), amount: money, currency });

const idParam = z.object({ id: z.string().meta({ description: 'An order id (anything else is a 404)' }) });

/** The orders API, served by the monolith only (order-routes.ts). */
export function describeOrdersApi(api: ApiRegistry): void {
  const order = api.schema('Order', orderSchema);
  const common = { tags: ['orders'], authenticated: true };
  api.operation({
    ...common,
    method: 'post',
    path: '/api/orders',
    summary: 'Place an order',
    request: { body: { required: true, content: jsonContent(api.schema('PlaceOrderRequest', placeOrderBody)) } },
    responses: { 201: { description: 'The order, pending payment', content: jsonContent(z.strictObject({ order })) } },
  });
  api.operation({
    ...common,
    method: 'get',
    path: '/api/orders',
    summary: 'The caller\u2019s orders, newest first',
    request: { query: pageQuery },
    responses: { 200: { description: 'A page', content: jsonContent(z.strictObject({ orders: z.array(order), nextCursor: z.string().nullable() })) } },
  });
  api.operation({
    ...common,
    method: 'get',
    path: '/api/orders/{id}',
    summary: 'One order',
    request: { params: idParam },
    responses: { 200: { description: 'The order', content: jsonContent(z.strictObject({ order })) } },
    problems: [404],
  });
  api.operation({
    ...common,
    method: 'post',
    path: '/api/orders/{id}/checkout',
    summary: 'Pay for an order',
    request: { params: idParam },
    responses: { 200: { description: 'The paid order and its payment', content: jsonContent(z.strictObject({ order, payment: chargedPayment })) } },
    problems: [404, 409, 422],
  });
}
