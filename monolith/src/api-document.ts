import { openApiDocument } from '@strangler/kit';
import { describeAuthApi } from '@strangler/auth-api';
import { describePaymentsApi } from '@strangler/payments-api';
import { describeOrdersApi } from './orders/orders-openapi';

/** The monolith's public API: auth and payments as their API modules describe them, and orders. */
export const monolithApiDocument = () =>
  openApiDocument({ title: 'Monolith', version: '0.1.0', description: 'The public API the monolith serves.' }, [describeAuthApi, describePaymentsApi, describeOrdersApi]);
