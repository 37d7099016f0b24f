import { closedPortUrl, jsonOf, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef0123456789';

describe('GET /_edge/decide: where a request would go now, and why, by the proxy’s own decision', () => {
  let monolith: TestUpstream;
  let service: TestUpstream;
  let edge: TestEdge;

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    service = await startUpstream({ name: 'service' });
    const routes = standardRoutes({ monolith: monolith.url, auth: service.url, payments: service.url });
    routes.capabilities.payments!.writtenThrough = [{ methods: 'POST', path: '/api/orders/:id/checkout' }];
    edge = await startTestEdge({
      routes,
      flags: [
        { capability: 'auth', enabled: true, stage: 'live', rollout: 100 },
        { capability: 'payments', enabled: true, stage: 'reads', rollout: 0 },
      ],
      env: { EDGE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
  });
  afterAll(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), service.stop()]);
  });

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${edge.url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });
  const decide = async (query: string) => {
    const response = await admin(`/_edge/decide?${query}`);
    expect(response.status).toBe(200);
    return jsonOf(response);
  };

  it('is behind the admin token like every admin endpoint', async () => {
    const response = await fetch(`${edge.url}/_edge/decide?path=/api/auth/me`);
    expect(response.status).toBe(401);
    expect(await jsonOf(response)).toMatchObject({ code: 'EDGE_ADMIN_UNAUTHORIZED' });
  });

  it('names the side, the reason and the facts for a capability’s read and write', async () => {
    expect(await decide('method=GET&path=/api/auth/me&user=u-1')).toMatchObject({
      request: { method: 'GET', path: '/api/auth/me', user: 'u-1' },
      capability: 'auth',
      route: 'GET /api/auth/me',
      flag: { name: 'strangler.auth', evaluation: 'in-rollout' },
      facts: { matched: true, stage: 'live', inRollout: true, breaker: 'closed', fence: 'clear', emergencyStop: false },
      decision: { side: 'service', reason: 'in_rollout', refused: false, mirror: false, fallback: 'monolith' },
    });
    expect((await decide('method=post&path=/api/payments&user=u-1')).decision).toMatchObject({ side: 'monolith', reason: 'stage' });
    expect((await decide('path=/api/payments/p-1&address=10.0.0.7')).decision).toMatchObject({ side: 'monolith', reason: 'out_of_rollout' });
  });

  it('answers unmatched for the monolith’s own routes, and names the capabilities a route writes through', async () => {
    expect(await decide('path=/api/orders')).toMatchObject({ capability: null, flag: null, decision: { side: 'monolith', reason: 'unmatched' } });
    expect(await decide('method=POST&path=/api/orders/o-1/checkout')).toMatchObject({ writtenThrough: ['payments'], decision: { side: 'monolith', reason: 'unmatched' } });
  });

  it('reflects a raised fence and an emergency stop, and routes real requests the same way', async () => {
    const raised = await admin('/_edge/fences/payments', { method: 'PUT', body: JSON.stringify({ owner: 'test', ttlMs: 30_000 }) });
    expect(raised.status).toBe(200);
    expect((await decide('method=POST&path=/api/orders/o-1/checkout')).decision).toMatchObject({ side: 'monolith', reason: 'write_fenced', refused: true });
    expect((await fetch(`${edge.url}/api/orders/o-1/checkout`, { method: 'POST' })).status).toBe(503);
    await admin('/_edge/fences/payments/test', { method: 'DELETE' });
    expect((await decide('method=POST&path=/api/orders/o-1/checkout')).decision).toMatchObject({ reason: 'unmatched', refused: false });

    const stopped = await admin('/_edge/emergency/auth', { method: 'PUT', body: JSON.stringify({ by: 'test', reason: 'drill' }) });
    expect(stopped.status).toBe(200);
    expect((await decide('path=/api/auth/me&user=u-1')).decision).toMatchObject({ side: 'monolith', reason: 'emergency_stop' });
    const answer = await fetch(`${edge.url}/api/auth/me`);
    expect(answer.headers.get('x-strangler-target')).toBe('monolith');
    expect(await edge.metrics()).toMatch(/edge_requests_total\{capability="auth",target="monolith",status="200",stage="monolith",reason="emergency_stop"[^}]*\} 1/);
    await admin('/_edge/emergency/auth', { method: 'DELETE' });
    expect((await decide('path=/api/auth/me&user=u-1')).decision).toMatchObject({ side: 'service', reason: 'in_rollout' });
  });

  it('refuses a malformed question with the fields named', async () => {
    const response = await admin('/_edge/decide?method=G%20T&path=nope');
    expect(response.status).toBe(400);
    const body = await jsonOf(response);
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['method', 'path']);
  });
});

describe('the reason of real requests, in edge_requests_total and /_edge/decide alike', () => {
  let monolith: TestUpstream;
  let edge: TestEdge;

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    const down = await closedPortUrl();
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: down, payments: down }),
      flags: [
        { capability: 'auth', enabled: true, stage: 'live', rollout: 100 },
        { capability: 'payments', enabled: false, stage: 'monolith', rollout: 0 },
      ],
      env: { EDGE_ADMIN_TOKEN: ADMIN_TOKEN, BREAKER_FAILURE_THRESHOLD: '2', BREAKER_COOLDOWN_MS: '600000' },
    });
  });
  afterAll(async () => {
    await edge.stop();
    await monolith.stop();
  });

  const count = (metrics: string, labels: string) => Number(new RegExp(`edge_requests_total\\{${labels}[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? 0);

  it('labels a read the service failed service_failed, then breaker_open once the breaker opens; a write is refused', async () => {
    for (let i = 0; i < 2; i += 1) {
      const read = await fetch(`${edge.url}/api/auth/me`);
      expect(read.headers.get('x-strangler-target')).toBe('monolith');
    }
    let metrics = await edge.metrics();
    expect(count(metrics, 'capability="auth",target="monolith",status="200",stage="live",reason="service_failed"')).toBe(2);

    const read = await fetch(`${edge.url}/api/auth/me`);
    expect(read.headers.get('x-strangler-target')).toBe('monolith');
    const write = await fetch(`${edge.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(write.status).toBe(503);
    metrics = await edge.metrics();
    expect(count(metrics, 'capability="auth",target="monolith",status="200",stage="live",reason="breaker_open"')).toBe(1);
    expect(count(metrics, 'capability="auth",target="service",status="503",stage="live",reason="breaker_open"')).toBe(1);
    expect(count(metrics, 'capability="payments",target="monolith",status="200",stage="monolith",reason="stage"')).toBe(0);

    const explained = await jsonOf(fetch(`${edge.url}/_edge/decide?method=POST&path=/api/auth/login`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
    expect(explained).toMatchObject({ facts: { breaker: 'open' }, decision: { side: 'service', reason: 'breaker_open', refused: true } });
    await fetch(`${edge.url}/api/payments`);
    expect(count(await edge.metrics(), 'capability="payments",target="monolith",status="200",stage="monolith",reason="stage"')).toBe(1);
  });
});
