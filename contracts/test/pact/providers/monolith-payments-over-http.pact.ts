import { startMonolithPayingOverHttpProvider } from './start-providers';
import { verifyPactsServedBy } from './verify-implementation';

verifyPactsServedBy('monolith-payments-over-http', startMonolithPayingOverHttpProvider);
