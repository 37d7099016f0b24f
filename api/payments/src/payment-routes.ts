import { Router, type Request, type RequestHandler, type Response } from 'express';
import { pageQuery, parseInput } from '@strangler/kit';
import { callerId } from './caller';
import { createPaymentBody, idempotencyKeyHeader, refundBody } from './payment-request-schemas';
import { paymentErrors } from './payment-errors';
import { requestFingerprints } from './request-fingerprint';
import type { PaymentUseCases } from './payment-use-cases';
import type { IdempotencyScope, RecordedResponse } from './respond-idempotently';

const PAYMENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Anything that cannot be one of our ids names no payment: 404 without asking the database. */
function paymentIdFrom(req: Request): string {
  const id = req.params.id;
  if (typeof id !== 'string' || !PAYMENT_ID.test(id)) throw paymentErrors.notFound();
  return id;
}

function idempotencyScope(req: Request, userId: string, requestHash: string): IdempotencyScope | undefined {
  const header = req.get('idempotency-key');
  if (header === undefined) return undefined;
  return { userId, key: parseInput(idempotencyKeyHeader, header, 'Idempotency-Key'), requestHash };
}

function send(res: Response, response: RecordedResponse): void {
  if (response.replayed) res.set('Idempotent-Replayed', 'true');
  res.status(response.status).type('application/json').send(response.body);
}

export function paymentRoutes(payments: PaymentUseCases, authenticate: RequestHandler): Router {
  const router = Router();

  router.post('/api/payments', authenticate, async (req, res) => {
    const userId = callerId(res);
    const scope = idempotencyScope(req, userId, requestFingerprints.createPayment(req.body));
    if (!scope) throw paymentErrors.idempotencyKeyRequired();
    send(res, await payments.create(userId, parseInput(createPaymentBody, req.body), scope));
  });

  router.get('/api/payments', authenticate, async (req, res) => {
    const query = parseInput(pageQuery, req.query, 'query');
    res.json(await payments.list(callerId(res), query.limit, query.cursor));
  });

  router.get('/api/payments/:id', authenticate, async (req, res) => {
    res.json({ payment: await payments.get(callerId(res), paymentIdFrom(req)) });
  });

  router.post('/api/payments/:id/capture', authenticate, async (req, res) => {
    const userId = callerId(res);
    const id = paymentIdFrom(req);
    send(res, await payments.capture(userId, id, idempotencyScope(req, userId, requestFingerprints.capture(id, req.body))));
  });

  router.post('/api/payments/:id/void', authenticate, async (req, res) => {
    const userId = callerId(res);
    const id = paymentIdFrom(req);
    send(res, await payments.void(userId, id, idempotencyScope(req, userId, requestFingerprints.void(id, req.body))));
  });

  router.post('/api/payments/:id/refunds', authenticate, async (req, res) => {
    const userId = callerId(res);
    const id = paymentIdFrom(req);
    const scope = idempotencyScope(req, userId, requestFingerprints.refund(id, req.body));
    const { amount } = parseInput(refundBody, req.body);
    send(res, await payments.refund(userId, id, amount, scope));
  });

  return router;
}
