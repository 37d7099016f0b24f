import { startPaymentsServiceProvider } from './start-providers';
import { verifyPactsServedBy } from './verify-implementation';

verifyPactsServedBy('payments-service', startPaymentsServiceProvider);
