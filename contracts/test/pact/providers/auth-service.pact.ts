import { startAuthServiceProvider } from './start-providers';
import { verifyPactsServedBy } from './verify-implementation';

verifyPactsServedBy('auth-service', startAuthServiceProvider);
