import { openApiDocument } from '@strangler/kit';
import { describePaymentsApi } from '@strangler/payments-api';

/** The payments service's public API: the payments API module's, as the monolith serves it too. */
export const paymentsServiceApiDocument = () =>
  openApiDocument({ title: 'Payments service', version: '0.1.0', description: 'The public payments API.' }, [describePaymentsApi]);
