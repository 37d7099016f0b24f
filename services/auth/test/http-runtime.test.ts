import { describeReadinessWithoutDatabase, describeRuntimeContract } from '@strangler/kit/testing';
import { startAuthService } from '../src/testing';

describeRuntimeContract('the auth service', {
  start: (dialect) => startAuthService(dialect),
  // The auth service serves no payments: the edge sends them elsewhere.
  unknownPath: '/api/payments',
  service: 'auth-service',
  unauthenticated: { path: '/api/auth/me', route: '/api/auth/me' },
  // Empty: the request reaches the route, which answers for the missing fields.
  jsonRoute: { path: '/api/auth/login', emptyBodyStatus: 400 },
});

describeReadinessWithoutDatabase('the auth service', (dialect) => startAuthService(dialect));
