import { startAuthService } from '@strangler/auth-service/testing';
import type { Side } from './sides';

export const authServiceSide: Side = {
  name: 'auth service',
  start: (dialect, options) => startAuthService(dialect, options),
};
