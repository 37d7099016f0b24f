import { Router, type Request, type RequestHandler } from 'express';
import { AppError, pageQuery, parseInput } from '@strangler/kit';
import { currentUser } from '../auth/authenticated-user';
import { orderErrors } from './order-errors';
import { placeOrderBody } from './order-request-schemas';
import type { OrderUseCases } from './order-use-cases';

const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Anything that cannot be one of our ids names no order: 404 without asking the database. */
function orderIdFrom(req: Request): string {
  const id = req.params.id;
  if (typeof id !== 'string' || !ORDER_ID.test(id)) throw orderErrors.notFound();
  return id;
}

/** The caller's token, passed on to the payments port (authenticate has already checked it). */
function bearerTokenFrom(req: Request): string {
  const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  if (!token) throw new AppError('AUTH_UNAUTHENTICATED', 401, 'Unauthenticated', 'A valid bearer token is required.');
  return token;
}

export function orderRoutes(orders: OrderUseCases, authenticate: RequestHandler): Router {
  const router = Router();

  router.post('/api/orders', authenticate, async (req, res) => {
    const order = await orders.place(currentUser(res).id, parseInput(placeOrderBody, req.body));
    res.status(201).json({ order });
  });

  router.get('/api/orders', authenticate, async (req, res) => {
    const query = parseInput(pageQuery, req.query, 'query');
    res.json(await orders.list(currentUser(res).id, query.limit, query.cursor));
  });

  router.get('/api/orders/:id', authenticate, async (req, res) => {
    res.json({ order: await orders.get(currentUser(res).id, orderIdFrom(req)) });
  });

  router.post('/api/orders/:id/checkout', authenticate, async (req, res) => {
    res.json(await orders.checkout(currentUser(res), orderIdFrom(req), bearerTokenFrom(req)));
  });

  return router;
}
