import { startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

/**
 * Red team on 1c500e5 (decision 0012, last amendment): a read-your-writes pin to the monolith holds at
 * `complete`. At `complete` the service answers every read; the pin is there only so that a buyer reads
 * back what checkout (a monolith route, `writtenThrough` for payments) just wrote. It must never cost a
 * read the service would have answered: a monolith that went away is not a reason to answer 503.
 */
describe('a read pinned to the monolith at complete', () => {
  let monolith: TestUpstream;
  let payments: TestUpstream;
  let auth: TestUpstream;
  let edge: TestEdge;
  const buyer = { authorization: 'Bearer buyer' };

  beforeEach(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    payments = await startUpstream({ name: 'payments' });
    auth = await startUpstream({ name: 'auth' });
    const routes = standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url });
    routes.capabilities.payments!.writtenThrough = [{ methods: 'POST', path: '/api/orders/:id/checkout' }];
    edge = await startTestEdge({
      routes,
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'complete', rollout: 100 },
      ],
    });
  });
  afterEach(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), payments.stop(), auth.stop()]);
  });

  const checkout = () =>
    fetch(`${edge.url}/api/orders/o1/checkout`, { method: 'POST', headers: { ...buyer, 'content-type': 'application/json' }, body: '{}' });

  it('is answered by the service when the monolith has gone away since the checkout', async () => {
    const paid = await checkout();
    expect(paid.status).toBe(200);
    expect(paid.headers.get('x-strangler-target')).toBe('monolith');
    await monolith.stop();
    const read = await fetch(`${edge.url}/api/payments/p1`, { headers: buyer });
    expect({ status: read.status, target: read.headers.get('x-strangler-target'), upstream: read.headers.get('x-upstream') }).toEqual({
      status: 200,
      target: 'service',
      upstream: 'payments',
    });
  });

  it('does not follow a checkout the monolith never took (the monolith down)', async () => {
    await monolith.stop();
    const failed = await checkout();
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const read = await fetch(`${edge.url}/api/payments/p1`, { headers: buyer });
    expect({ status: read.status, target: read.headers.get('x-strangler-target') }).toEqual({ status: 200, target: 'service' });
  });
});
