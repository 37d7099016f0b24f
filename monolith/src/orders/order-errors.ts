import { AppError, notFound } from '@strangler/kit';

/** Stable, public error codes of the orders API. Never reuse a retired code. */
export const orderErrors = {
  notFound: () => notFound('ORDER_NOT_FOUND', 'Order'),
  alreadyPaid: () => new AppError('ORDER_ALREADY_PAID', 409, 'Order already paid', 'This order has already been paid.'),
};
