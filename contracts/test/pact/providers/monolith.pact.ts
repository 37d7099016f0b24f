import { startMonolithProvider } from './start-providers';
import { verifyPactsServedBy } from './verify-implementation';

verifyPactsServedBy('monolith', startMonolithProvider);
