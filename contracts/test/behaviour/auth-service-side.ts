import { startAuthService } from '../../../services/auth/test/support/start-auth-service';
import type { Side } from './sides';

export const authServiceSide: Side = {
  name: 'auth service',
  start: (dialect, options) => startAuthService(dialect, options),
};
