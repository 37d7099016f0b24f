import { rawExchange, requestHead, eventually, jsonOf, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

/**
 * Issue #11 §1 and #18 "the edge's own surface": hostile spellings of a request-target, sent byte for
 * byte through a real edge to real upstreams that record what they received. Payments and auth are at
 * `live` 100 %, so a request that routes as its canonical path must reach the service; one that
 * reached the monolith instead would be the bypass the issue found. Each spelling is either served
 * exactly as its canonical form (by the side that form routes to, which receives that form), or
 * refused by the edge itself, with nothing forwarded anywhere.
 */
type Receiver = 'payments' | 'auth' | 'monolith' | 'edge' | 'nobody';

describe('hostile request-target spellings through the edge', () => {
  let monolith: TestUpstream;
  let payments: TestUpstream;
  let auth: TestUpstream;
  let edge: TestEdge;

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    payments = await startUpstream({ name: 'payments' });
    auth = await startUpstream({ name: 'auth' });
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }),
      flags: [
        { capability: 'auth', enabled: true, stage: 'live', rollout: 100 },
        { capability: 'payments', enabled: true, stage: 'live', rollout: 100 },
      ],
    });
  });
  afterAll(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), payments.stop(), auth.stop()]);
  });

  const received = () => {
    const all = [
      ...monolith.requests.map((r) => ({ side: 'monolith' as const, url: r.url })),
      ...payments.requests.map((r) => ({ side: 'payments' as const, url: r.url })),
      ...auth.requests.map((r) => ({ side: 'auth' as const, url: r.url })),
    ];
    monolith.requests.length = 0;
    payments.requests.length = 0;
    auth.requests.length = 0;
    return all;
  };

  const send = async (method: string, target: string) => {
    const body = method === 'POST' ? '{"amount":"10.00","currency":"USD"}' : '';
    const headers: Record<string, string | number> = { authorization: 'Bearer t0k3n', 'idempotency-key': 'k-1' };
    if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': body.length });
    return rawExchange(edge.url, requestHead(method, target, headers) + body);
  };

  // [method, raw target, status, who received it, the path it received]
  const served: Array<[string, string, number, Receiver, string]> = [
    ['POST', '//api/payments', 200, 'payments', '/api/payments'],
    ['POST', '/api//payments', 200, 'payments', '/api/payments'],
    ['POST', '///api/payments', 200, 'payments', '/api/payments'],
    ['GET', '//api/payments', 200, 'payments', '/api/payments'],
    ['GET', '//api/payments?limit=2&cursor=//x', 200, 'payments', '/api/payments?limit=2&cursor=//x'],
    ['POST', '//api/payments/p1/refunds', 200, 'payments', '/api/payments/p1/refunds'],
    ['POST', '/api/payments//p1//refunds/', 200, 'payments', '/api/payments/p1/refunds/'],
    ['GET', '//api/auth/me', 200, 'auth', '/api/auth/me'],
    ['POST', 'http://x/api/payments', 200, 'payments', '/api/payments'],
    ['POST', 'http://evil.example:81//api//payments?x=1', 200, 'payments', '/api/payments?x=1'],
    // Case: matched as the upstreams' routers match it (case-insensitively), forwarded as sent.
    ['POST', '/API/payments', 200, 'payments', '/API/payments'],
    ['GET', '/Api/Payments/P1/', 200, 'payments', '/Api/Payments/P1/'],
    ['GET', '/api/p%61yments/p1', 200, 'payments', '/api/payments/p1'],
    ['GET', '/api/payments/%41b%2c', 200, 'payments', '/api/payments/Ab%2C'],
    // The query is not the edge's to route by: passed on as sent.
    ['GET', '/api/payments?q=%ZZ&r=a\\b', 200, 'payments', '/api/payments?q=%ZZ&r=a\\b'],
    ['GET', '//api/orders', 200, 'monolith', '/api/orders'],
    ['OPTIONS', '*', 200, 'monolith', '*'],
  ];
  it.each(served)('%s %s → %i from %s, which receives %s', async (method, target, status, receiver, path) => {
    received();
    const answer = await send(method, target);
    expect([answer.status, answer.headers['x-strangler-target'] ?? null]).toEqual([status, receiver === 'monolith' ? 'monolith' : 'service']);
    expect(received()).toEqual([{ side: receiver, url: path }]);
  });

  // [method, raw target, status, code]
  const refused: Array<[string, string, number, string]> = [
    ['POST', '/api/payments#frag', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['POST', '/api\\payments', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/api/payments/a\\..\\..\\internal\\sessions', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/api/payments/%2e%2e/%2e%2e/internal/sessions/x', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/api/payments/../../internal/sessions/x', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/api/payments/.%2E/orders', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/api/payments/a%2Fb', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/api/payments/a%5cb', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/api/payments/%ZZ', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/api/payments/%C0%AE%C0%AE', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/api/payments/%00', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/api/payments/%0D%0AX:1', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/metrics#x', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '/health/ready#x', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', 'ftp://x/api/payments', 400, 'EDGE_BAD_REQUEST_TARGET'],
    ['GET', '*', 400, 'EDGE_BAD_REQUEST_TARGET'],
    // The sides' internal endpoints, in any spelling: never forwarded from a client.
    ['GET', '/internal/sessions/0123', 404, 'ROUTE_NOT_FOUND'],
    ['GET', '//internal/sessions/x', 404, 'ROUTE_NOT_FOUND'],
    ['GET', '/Internal/Sessions/x', 404, 'ROUTE_NOT_FOUND'],
    ['POST', '/INTERNAL/sessions/x/revoke', 404, 'ROUTE_NOT_FOUND'],
    ['GET', '/%69nternal/sessions/x', 404, 'ROUTE_NOT_FOUND'],
    ['GET', 'http://x//internal//sessions/x', 404, 'ROUTE_NOT_FOUND'],
    ['GET', '/internal', 404, 'ROUTE_NOT_FOUND'],
  ];
  it.each(refused)('%s %s → %i %s from the edge, nothing forwarded', async (method, target, status, code) => {
    received();
    const answer = await send(method, target);
    expect([answer.status, JSON.parse(answer.body).code]).toEqual([status, code]);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.headers['x-strangler-target']).toBeUndefined();
    expect(received()).toEqual([]);
  });

  it('answers raw control bytes and non-ASCII in the target itself (400), forwarding nothing', async () => {
    received();
    for (const target of ['/api/pay\u0001ments', '/api/payments/\u00c3\u00a9', '/api/payments/\u007f']) {
      const answer = await rawExchange(edge.url, Buffer.from(requestHead('GET', target), 'latin1'));
      expect([target, answer.status]).toEqual([target, 400]);
    }
    expect(received()).toEqual([]);
  });

  it('serves its own endpoints in any spelling that reads as theirs, never the monolith’s', async () => {
    received();
    for (const target of ['http://x/metrics', '/METRICS', '//metrics', '/metrics/', '/Metrics?x=1']) {
      const answer = await rawExchange(edge.url, requestHead('GET', target));
      expect([target, answer.status]).toEqual([target, 200]);
      expect(answer.body).toContain('edge_requests_total');
    }
    const ready = await rawExchange(edge.url, requestHead('GET', 'http://x//health//ready'));
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready' });
    const capabilities = await rawExchange(edge.url, requestHead('GET', '//_edge//capabilities'));
    expect(JSON.parse(capabilities.body).capabilities).toHaveLength(2);
    expect(received()).toEqual([]);
  });

  it('labels the doubled-slash spelling with its capability in the metrics, so “monolith served no payments” stays true', async () => {
    const before = await edge.metrics();
    const count = (text: string) => Number(/edge_requests_total\{capability="payments",target="service",status="200",stage="live"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    await send('POST', '//api/payments');
    await send('GET', '/api//payments');
    expect(count(await edge.metrics()) - count(before)).toBe(2);
  });
});

describe('read-your-writes after a doubled-slash write', () => {
  it('pins the caller’s next reads to the side that took the write, as for the plain spelling', async () => {
    const monolith = await startUpstream({ name: 'monolith' });
    const payments = await startUpstream({ name: 'payments' });
    const auth = await startUpstream({ name: 'auth' });
    // `reads` 100 %: reads go to the service, writes to the monolith; a write pins the caller's reads.
    const edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }),
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'reads', rollout: 100 },
      ],
    });
    try {
      const headers = (token: string) => ({ authorization: `Bearer ${token}`, 'idempotency-key': 'k', 'content-type': 'application/json', 'content-length': 2 });
      const written = await rawExchange(edge.url, `${requestHead('POST', '//api//payments', headers('writer'))}{}`);
      expect(written.headers['x-strangler-target']).toBe('monolith');
      const read = await jsonOf(fetch(`${edge.url}/api/payments/p1`, { headers: { authorization: 'Bearer writer' } }));
      expect(read.headers['x-forwarded-host']).toBeDefined();
      expect(monolith.requests.map((r) => r.url)).toEqual(['/api/payments', '/api/payments/p1']);
      // Someone else's read still follows the flag.
      await fetch(`${edge.url}/api/payments/p1`, { headers: { authorization: 'Bearer reader' } });
      await eventually(() => payments.requests.length === 1);
    } finally {
      await edge.stop();
      await Promise.all([monolith.stop(), payments.stop(), auth.stop()]);
    }
  });
});

describe('read-your-writes after a write through another route (issue #11 §4)', () => {
  // The drill: one buyer in 1,326 read their payment as 404 right after checkout at complete. The pin
  // was noted only once the edge had streamed the whole answer; a client that goes on at the answer's
  // head (fetch resolves there) or reads its last byte first raced it. It is noted at the head now.
  it('the pin holds from the answer’s head: a read sent while the checkout answer is still streaming goes to the monolith', async () => {
    const monolith = await startUpstream({ name: 'monolith' });
    const payments = await startUpstream({ name: 'payments' });
    let release: () => void = () => undefined;
    monolith.handle((req, res) => {
      if (!req.url?.includes('/checkout')) return void res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'monolith' }).end('{}');
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'monolith' });
      res.write('{"payment":');
      release = () => res.end('{"id":"p1"}}');
    });
    const routes = standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: payments.url });
    routes.capabilities.payments!.writtenThrough = [{ methods: 'POST', path: '/api/orders/:id/checkout' }];
    const edge = await startTestEdge({
      routes,
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'complete', rollout: 100 },
      ],
    });
    try {
      const buyer = { authorization: 'Bearer streaming-buyer' };
      const paid = await fetch(`${edge.url}/api/orders/o1/checkout`, { method: 'POST', headers: { ...buyer, 'content-type': 'application/json' }, body: '{}' });
      expect(paid.status).toBe(200);
      const read = await fetch(`${edge.url}/api/payments/p1`, { headers: buyer });
      await read.arrayBuffer();
      expect(read.headers.get('x-strangler-target')).toBe('monolith');
      release();
      expect(await paid.json()).toEqual({ payment: { id: 'p1' } });
    } finally {
      release();
      await edge.stop();
      await Promise.all([monolith.stop(), payments.stop()]);
    }
  });

  // `reads` 100 % and `complete`: payments reads go to the service, which has not yet received the
  // checkout's payment. At `complete` the drill read 404 after ~13 % of checkouts until the pin held there too.
  it.each(['reads', 'complete'] as const)('at %s, checkout, which pays in the monolith, pins the buyer’s next payments reads to the monolith', async (stage) => {
    const monolith = await startUpstream({ name: 'monolith' });
    const payments = await startUpstream({ name: 'payments' });
    const auth = await startUpstream({ name: 'auth' });
    const routes = standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url });
    routes.capabilities.payments!.writtenThrough = [{ methods: 'POST', path: '/api/orders/:id/checkout' }];
    const edge = await startTestEdge({
      routes,
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage, rollout: 100 },
      ],
    });
    try {
      const buyer = { authorization: 'Bearer buyer' };
      const paid = await fetch(`${edge.url}/api/orders/o1/checkout`, { method: 'POST', headers: { ...buyer, 'content-type': 'application/json' }, body: '{}' });
      expect(paid.headers.get('x-strangler-target')).toBe('monolith');
      const read = await fetch(`${edge.url}/api/payments/p1`, { headers: buyer });
      expect(read.headers.get('x-strangler-target')).toBe('monolith');
      // Another user's read still follows the flag.
      const other = await fetch(`${edge.url}/api/payments/p1`, { headers: { authorization: 'Bearer someone-else' } });
      expect(other.headers.get('x-strangler-target')).toBe('service');
    } finally {
      await edge.stop();
      await Promise.all([monolith.stop(), payments.stop(), auth.stop()]);
    }
  });
});

