import { describeReadinessWithoutDatabase, describeRuntimeContract } from '@strangler/kit/testing';
import { startPaymentsStack } from '../src/testing';

/** The service with a monolith as its session peer, stopped together. */
async function startService(dialect: 'sqlite' | 'mysql') {
  const stack = await startPaymentsStack(dialect);
  return { ...stack.service, stop: () => stack.stop() };
}

describeRuntimeContract('the payments service', {
  start: startService,
  // The payments service serves no auth: the edge sends it elsewhere.
  unknownPath: '/api/auth/me',
  service: 'payments-service',
  unauthenticated: {
    path: '/api/payments/11111111-1111-4111-8111-111111111111',
    token: 'x',
    route: '/api/payments/:id',
    rawIdentifier: '11111111-1111',
  },
  // Empty: the request reaches the route, which wants a session first.
  jsonRoute: { path: '/api/payments', emptyBodyStatus: 401 },
});

describeReadinessWithoutDatabase('the payments service', startService);
