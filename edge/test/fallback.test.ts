import { closedPortUrl, echo, eventually, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

const paymentsLive = [
  { capability: 'auth', enabled: false, stage: 'monolith' as const, rollout: 0 },
  { capability: 'payments', enabled: true, stage: 'live' as const, rollout: 100 },
];

const reset = (_req: unknown, res: { socket: { destroy(): void } | null }) => res.socket?.destroy();
const hang = () => undefined;

async function call(edge: TestEdge, method: string, path: string, options: { body?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${edge.url}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
}

// Every case runs with both HTTP clients the edge can forward with (decision 0013).
describe.each(['undici', 'node'] as const)('UPSTREAM_CLIENT=%s', (client) => {
  describe('falling back to the monolith when a service fails', () => {
    let monolith: TestUpstream;
    let service: TestUpstream;
    let edge: TestEdge;

    beforeAll(async () => {
      monolith = await startUpstream({ name: 'monolith' });
      service = await startUpstream({ name: 'payments' });
      edge = await startTestEdge({
        routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url }),
        flags: paymentsLive,
        env: { UPSTREAM_CLIENT: client, UPSTREAM_RESPONSE_TIMEOUT_MS: '150', BREAKER_FAILURE_THRESHOLD: '1000', BREAKER_MIN_REQUESTS: '1000' },
      });
    });
    afterAll(async () => {
      await edge.stop();
      await Promise.all([monolith.stop(), service.stop()]);
    });
    beforeEach(() => {
      monolith.requests.length = 0;
      service.requests.length = 0;
      service.handle(echo);
    });

    it('serves from the service while it is healthy', async () => {
      const response = await call(edge, 'GET', '/api/payments/p1');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-strangler-target')).toBe('service');
      expect(monolith.requests).toHaveLength(0);
    });

    it('serves a safe request from the monolith when the service resets the connection', async () => {
      service.handle(reset);
      const response = await call(edge, 'GET', '/api/payments/p1?x=1');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-strangler-target')).toBe('monolith');
      expect(service.requests.map((r) => r.url)).toEqual(['/api/payments/p1?x=1']);
      expect(monolith.requests.map((r) => r.url)).toEqual(['/api/payments/p1?x=1']);
      expect(await edge.metrics()).toMatch(/edge_fallbacks_total\{capability="payments",reason="reset"/);
    });

    it('serves a safe request from the monolith when the service answers 503', async () => {
      service.handle((_req: unknown, res: { writeHead(s: number, h: Record<string, string>): void; end(b: string): void }) => {
        res.writeHead(503, { 'content-type': 'application/problem+json' });
        res.end('{"code":"AUTH_SESSION_STORE_UNAVAILABLE"}');
      });
      const response = await call(edge, 'GET', '/api/payments/p2');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-strangler-target')).toBe('monolith');
      expect(monolith.requests.map((r) => r.url)).toEqual(['/api/payments/p2']);
    });

    it('passes a service 503 through for an unsafe request without an Idempotency-Key', async () => {
      service.handle((_req: unknown, res: { writeHead(s: number, h: Record<string, string>): void; end(b: string): void }) => {
        res.writeHead(503, { 'content-type': 'application/problem+json' });
        res.end('{"code":"AUTH_SESSION_STORE_UNAVAILABLE"}');
      });
      const response = await call(edge, 'POST', '/api/payments/p2/capture', { body: '{}' });
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ code: 'AUTH_SESSION_STORE_UNAVAILABLE' });
      expect(monolith.requests).toHaveLength(0);
    });

    it('serves a safe request from the monolith when the service times out', async () => {
      service.handle(hang);
      const response = await call(edge, 'GET', '/api/payments');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-strangler-target')).toBe('monolith');
      expect(await edge.metrics()).toMatch(/edge_fallbacks_total\{capability="payments",reason="timeout"/);
    });

    it('never replays an unsafe request without an Idempotency-Key: 503 EDGE_SERVICE_UNAVAILABLE, retryable, monolith untouched', async () => {
      service.handle(reset);
      const response = await call(edge, 'POST', '/api/payments/p1/capture', { body: '{"amount":"1.00"}' });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ code: 'EDGE_SERVICE_UNAVAILABLE', status: 503, retryable: true });
      expect(service.requests).toHaveLength(1);
      expect(monolith.requests).toHaveLength(0);
    });

    it('does not replay a keyed write the service may have done (reset after it was sent): 503, retryable', async () => {
      service.handle(reset);
      const response = await call(edge, 'POST', '/api/payments', { body: '{"amount":"1.00","currency":"USD"}', headers: { 'idempotency-key': 'key-reset' } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.body).toMatchObject({ code: 'EDGE_SERVICE_UNAVAILABLE', retryable: true });
      expect(service.requests).toHaveLength(1);
      expect(monolith.requests).toHaveLength(0);
    });

    // Decision 0020: a write never leaves the side that holds the user's write authority. Before, a keyed
    // write the service answered 503 was replayed on the monolith; while the service still held an
    // earlier attempt of the same key (issue #12 C), that made a second payment.
    it('passes a keyed write’s 503 through: it is never replayed on the monolith', async () => {
      service.handle((_req: unknown, res: { writeHead(s: number, h: Record<string, string>): void; end(b: string): void }) => {
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
        res.end('{"code":"AUTH_SESSION_STORE_UNAVAILABLE"}');
      });
      const body = JSON.stringify({ amount: '19.99', currency: 'USD' });
      const response = await call(edge, 'POST', '/api/payments', { body, headers: { 'idempotency-key': 'key-123' } });
      expect(response.status).toBe(503);
      expect(response.headers.get('x-strangler-target')).toBe('service');
      expect(service.requests).toHaveLength(1);
      expect(monolith.requests).toHaveLength(0);
    });

    it('does not replay an Idempotency-Key request whose body was too big to keep', async () => {
      service.handle((_req: unknown, res: { writeHead(s: number, h: Record<string, string>): void; end(b: string): void }) => {
        res.writeHead(503, { 'content-type': 'application/problem+json' });
        res.end('{}');
      });
      const body = JSON.stringify({ note: 'x'.repeat(1024 * 1024 + 10) });
      const response = await call(edge, 'POST', '/api/payments', { body, headers: { 'idempotency-key': 'key-big' } });
      expect(response.status).toBe(503);
      expect(monolith.requests).toHaveLength(0);
    });
  });

  describe('when the service refuses connections', () => {
    let monolith: TestUpstream;
    let edge: TestEdge;

    beforeAll(async () => {
      monolith = await startUpstream({ name: 'monolith' });
      edge = await startTestEdge({
        routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: await closedPortUrl() }),
        flags: paymentsLive,
        env: { UPSTREAM_CLIENT: client, BREAKER_FAILURE_THRESHOLD: '1000', BREAKER_MIN_REQUESTS: '1000' },
      });
    });
    afterAll(async () => {
      await edge.stop();
      await monolith.stop();
    });

    it('sends safe requests to the monolith; writes of the service’s users get a retryable 503, never the monolith', async () => {
      const get = await call(edge, 'GET', '/api/payments/p1');
      expect([get.status, get.headers.get('x-strangler-target')]).toEqual([200, 'monolith']);
      // Nothing reached the service this time, but an earlier attempt of the same key may still be in
      // its hands (a stalled process): the monolith must not do it a second time (decision 0020).
      for (const headers of [{}, { 'idempotency-key': 'key-refused' }] as Array<Record<string, string>>) {
        const post = await call(edge, 'POST', '/api/payments/p1/refunds', { body: '{"amount":"1.00"}', headers });
        expect([post.status, post.headers.get('retry-after'), post.body?.code]).toEqual([503, '1', 'EDGE_SERVICE_UNAVAILABLE']);
      }
      expect(monolith.requests.map((r) => [r.method, r.url])).toEqual([['GET', '/api/payments/p1']]);
      expect(await edge.metrics()).toMatch(/edge_fallbacks_total\{capability="payments",reason="connect"[^}]*\} 1/);
    });
  });

  describe('the circuit breaker', () => {
    let monolith: TestUpstream;
    let service: TestUpstream;
    let edge: TestEdge;
    let now = 1_700_000_000_000;

    beforeAll(async () => {
      monolith = await startUpstream({ name: 'monolith' });
      service = await startUpstream({ name: 'payments' });
      edge = await startTestEdge({
        routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url }),
        flags: paymentsLive,
        env: { UPSTREAM_CLIENT: client, BREAKER_FAILURE_THRESHOLD: '3', BREAKER_COOLDOWN_MS: '10000' },
        overrides: { now: () => now },
      });
    });
    afterAll(async () => {
      await edge.stop();
      await Promise.all([monolith.stop(), service.stop()]);
    });

    it('opens after consecutive failures, keeps traffic on the monolith, then probes and recovers', async () => {
      service.handle(reset);
      for (let i = 0; i < 3; i += 1) {
        const response = await call(edge, 'GET', `/api/payments/p${i}`);
        expect(response.headers.get('x-strangler-target')).toBe('monolith');
      }
      expect(service.requests).toHaveLength(3);
      const breakers = await call(edge, 'GET', '/_edge/breakers');
      expect(breakers.body.breakers).toEqual([expect.objectContaining({ name: 'payments', state: 'open', url: service.url })]);
      expect(await edge.metrics()).toMatch(/edge_circuit_breaker_state\{upstream="payments"[^}]*\} 2/);

      // Open: the service is not even asked. Reads go to the monolith; writes of the service's users are
      // refused, retryable, and never run on the monolith (decision 0020; issue #12 C).
      const readWhileOpen = await call(edge, 'GET', '/api/payments/open');
      expect([readWhileOpen.status, readWhileOpen.headers.get('x-strangler-target')]).toEqual([200, 'monolith']);
      const monolithBefore = monolith.requests.length;
      const whileOpen = await call(edge, 'POST', '/api/payments', { body: '{}', headers: { 'idempotency-key': 'k-open' } });
      expect([whileOpen.status, whileOpen.headers.get('retry-after'), whileOpen.body?.code]).toEqual([503, '1', 'EDGE_SERVICE_UNAVAILABLE']);
      expect(service.requests).toHaveLength(3);
      expect(monolith.requests).toHaveLength(monolithBefore);
      expect(await edge.metrics()).toMatch(/edge_fallbacks_total\{capability="payments",reason="breaker_open"/);

      // After the cooldown one probe goes through; it succeeds and the breaker closes.
      service.handle(echo);
      now += 10_000;
      const probe = await call(edge, 'GET', '/api/payments/probe');
      expect(probe.headers.get('x-strangler-target')).toBe('service');
      expect(service.requests.at(-1)?.url).toBe('/api/payments/probe');
      const after = await call(edge, 'GET', '/api/payments/after');
      expect(after.headers.get('x-strangler-target')).toBe('service');
      expect((await call(edge, 'GET', '/_edge/breakers')).body.breakers[0].state).toBe('closed');
      await eventually(async () => /edge_circuit_breaker_transitions_total\{upstream="payments",to="closed"/.test(await edge.metrics()));
    });

    it('counts 5xx answers as failures and reopens when the probe fails', async () => {
      service.handle((_req, res) => {
        res.statusCode = 503;
        res.end('{}');
      });
      const before = service.requests.length;
      // Each 503 is a breaker failure; the safe request itself is answered by the monolith.
      for (let i = 0; i < 3; i += 1) {
        const response = await call(edge, 'GET', '/api/payments/x');
        expect([response.status, response.headers.get('x-strangler-target')]).toEqual([200, 'monolith']);
      }
      expect(service.requests).toHaveLength(before + 3);
      await call(edge, 'GET', '/api/payments/x');
      expect(service.requests).toHaveLength(before + 3); // open: the service is not even asked
      now += 10_000;
      const probe = await call(edge, 'GET', '/api/payments/x');
      expect(service.requests).toHaveLength(before + 4); // the half-open probe
      expect([probe.status, probe.headers.get('x-strangler-target')]).toEqual([200, 'monolith']);
      expect((await call(edge, 'GET', '/_edge/breakers')).body.breakers[0].state).toBe('open');
    });
  });
});
