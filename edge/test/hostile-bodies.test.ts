import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { rawExchange, requestHead, trickle, eventually, jsonOf, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

/**
 * Issue #14 §1–2 with raw-socket clients (node:net): a client must not be able to trip a breaker, to
 * hold the half-open probe, or to exhaust the upstream pools with slow bodies; and an upstream that
 * stalls is cut off by a deadline and counted as a failure. Deadlines are short here so the tests are
 * quick; the defaults are in config.ts (docs/decisions/0015-deadlines.md).
 */
const LIMITS = {
  CLIENT_BODY_TIMEOUT_MS: '300',
  CLIENT_BODY_MIN_BYTES_PER_SECOND: '100',
  CLIENT_SLOW_BODY_MS: '250',
  CLIENT_MAX_SLOW_REQUESTS: '2',
  UPSTREAM_QUEUE_TIMEOUT_MS: '300',
  UPSTREAM_RESPONSE_TIMEOUT_MS: '1500',
  UPSTREAM_BODY_STALL_MS: '300',
  UPSTREAM_TOTAL_TIMEOUT_MS: '2500',
  BREAKER_FAILURE_THRESHOLD: '3',
  BREAKER_COOLDOWN_MS: '300',
  BREAKER_PROBE_TIMEOUT_MS: '400',
  READ_YOUR_WRITES_MS: '0',
};

/** An upstream handler that holds every request until `release()` (a stalled service). */
function holding() {
  const held: ServerResponse[] = [];
  return {
    held,
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      held.push(res);
    },
    release() {
      for (const res of held.splice(0)) if (!res.destroyed) res.end('{}');
    },
  };
}

const keyed = (body: string, extra: Record<string, string | number> = {}) => ({
  Authorization: 'Bearer someone',
  'Idempotency-Key': `k-${Math.random()}`,
  'Content-Type': 'application/json',
  'Content-Length': body.length,
  ...extra,
});

describe.each(['undici', 'node'])('the edge under hostile bodies and stalled upstreams (UPSTREAM_CLIENT=%s)', (client) => {
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
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'live', rollout: 100 },
      ],
      env: { ...LIMITS, UPSTREAM_CLIENT: client, UPSTREAM_MAX_SOCKETS: '2' },
    });
  });
  afterAll(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), payments.stop(), auth.stop()]);
  });
  beforeEach(async () => {
    for (const upstream of [monolith, payments, auth]) {
      upstream.requests.length = 0;
      upstream.handle((req, res, body) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ url: req.url, body: body.toString('utf8') }));
      });
    }
    // Each test starts with a closed breaker: let any open one probe and close on a healthy service.
    await eventually(async () => {
      await fetch(`${edge.url}/api/payments/warm-up`);
      const { breakers } = await jsonOf(fetch(`${edge.url}/_edge/breakers`));
      return breakers.every((b: { state: string }) => b.state === 'closed');
    });
    for (const upstream of [monolith, payments, auth]) upstream.requests.length = 0;
  });

  const breaker = async () => (await jsonOf(fetch(`${edge.url}/_edge/breakers`))).breakers.find((b: { name: string }) => b.name === 'payments');

  describe('§1: only failures that say the service is unhealthy count', () => {
    it('a service answering 500 (one request’s defect) or 4xx never opens the breaker; 503 does', async () => {
      payments.handle((_req, res) => {
        res.statusCode = 500;
        res.end('{"code":"INTERNAL_ERROR"}');
      });
      for (let i = 0; i < 10; i += 1) {
        const answer = await fetch(`${edge.url}/api/payments/p${i}`);
        expect([answer.status, answer.headers.get('x-strangler-target')]).toEqual([500, 'service']);
      }
      expect(await breaker()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
      payments.handle((_req, res) => {
        res.statusCode = 503;
        res.end('{}');
      });
      for (let i = 0; i < 3; i += 1) expect((await fetch(`${edge.url}/api/payments/p${i}`)).headers.get('x-strangler-target')).toBe('monolith');
      expect((await breaker()).state).toBe('open');
    });

    it('a trickled keyed POST never becomes the half-open probe: a request with its body in hand does', async () => {
      payments.handle((_req, res) => {
        res.statusCode = 503;
        res.end('{}');
      });
      for (let i = 0; i < 3; i += 1) await fetch(`${edge.url}/api/payments/p${i}`);
      expect((await breaker()).state).toBe('open');
      payments.handle((req, res, body) => res.end(JSON.stringify({ url: req.url, body: body.toString() })));
      payments.requests.length = 0;
      await new Promise((resolve) => setTimeout(resolve, 350)); // the cooldown: half-open now
      // The repro: Content-Length 1000, a byte at a time, slowly.
      const slow = trickle(edge.url, requestHead('POST', '/api/payments', keyed('x'.repeat(1000))), 'x', 150, 1000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const probe = await fetch(`${edge.url}/api/payments/p-probe`);
      expect([probe.status, probe.headers.get('x-strangler-target')]).toEqual([200, 'service']);
      expect((await breaker()).state).toBe('closed');
      const refused = await slow.answer;
      expect([refused.status, JSON.parse(refused.body).code]).toEqual([408, 'EDGE_REQUEST_BODY_TIMEOUT']);
      expect(refused.headers.connection).toBe('close');
      expect(refused.ms).toBeLessThan(2_000);
      expect(payments.requests.map((r) => r.url)).toEqual(['/api/payments/p-probe']);
    });

    it('the probe has a short deadline of its own: a stalled service reopens the breaker at once, the monolith answers', async () => {
      payments.handle((_req, res) => {
        res.statusCode = 503;
        res.end('{}');
      });
      for (let i = 0; i < 3; i += 1) await fetch(`${edge.url}/api/payments/p${i}`);
      const stall = holding();
      payments.handle(stall.handler);
      await new Promise((resolve) => setTimeout(resolve, 350));
      const started = Date.now();
      const probe = await fetch(`${edge.url}/api/payments/p-probe`);
      expect([probe.status, probe.headers.get('x-strangler-target')]).toEqual([200, 'monolith']);
      // BREAKER_PROBE_TIMEOUT_MS (400), not UPSTREAM_RESPONSE_TIMEOUT_MS (1500).
      expect(Date.now() - started).toBeLessThan(1_200);
      expect((await breaker()).state).toBe('open');
      stall.release();
    });
  });

  describe('§2: slow bodies, full pools, stalled answers', () => {
    it('answers a trickled body 408 and frees the monolith connection it held', async () => {
      const slow = trickle(edge.url, requestHead('POST', '/api/orders', { 'Content-Type': 'application/json', 'Content-Length': 1000 }), 'x', 150, 1000);
      const answer = await slow.answer;
      expect([answer.status, JSON.parse(answer.body).code]).toEqual([408, 'EDGE_REQUEST_BODY_TIMEOUT']);
      expect(answer.ms).toBeLessThan(2_000);
      // The monolith never got a whole request, and its connection is free for others.
      expect(monolith.requests).toEqual([]);
      expect((await fetch(`${edge.url}/api/orders`)).status).toBe(200);
      expect(await edge.metrics()).toMatch(/edge_refused_requests_total\{code="EDGE_REQUEST_BODY_TIMEOUT",service="edge"\} [1-9]/);
    });

    it('serves a slow upload that keeps the minimum rate', async () => {
      // 10 bytes every 50 ms: 200 B/s, over 1 s, above the 100 B/s minimum.
      const body = 'y'.repeat(200);
      const steady = trickle(edge.url, requestHead('POST', '/api/orders', { 'Content-Type': 'application/json', 'Content-Length': body.length }), 'y'.repeat(10), 50, 20);
      const answer = await steady.answer;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).body).toBe(body);
    });

    it('limits slow requests per client: the one past CLIENT_MAX_SLOW_REQUESTS gets 429, the others finish', async () => {
      const body = 'z'.repeat(150);
      // Keyed payments writes: the edge reads their bodies at once (to be able to replay them).
      const head = requestHead('POST', '/api/payments', keyed(body));
      const uploads = [0, 1, 2].map(() => trickle(edge.url, head, 'z'.repeat(10), 60, 15));
      const answers = await Promise.all(uploads.map((upload) => upload.answer));
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([200, 200, 429]);
      expect(JSON.parse(answers.find((answer) => answer.status === 429)!.body)).toMatchObject({ code: 'EDGE_TOO_MANY_SLOW_REQUESTS', retryable: true });
    });

    it('gives up on a full monolith pool after the queue deadline (nothing sent: 502, Retry-After), and readiness says so', async () => {
      const stall = holding();
      monolith.handle(stall.handler);
      const held = [fetch(`${edge.url}/api/orders/1`), fetch(`${edge.url}/api/orders/2`)];
      await eventually(() => stall.held.length === 2);
      const queued = fetch(`${edge.url}/api/orders/3`);
      await eventually(async () => (await fetch(`${edge.url}/health/ready`)).status === 503);
      expect(await jsonOf(fetch(`${edge.url}/health/ready`))).toMatchObject({ code: 'NOT_READY', checks: { upstreams: 'exhausted' }, queued: { monolith: 1 } });
      const answer = await queued;
      expect([answer.status, answer.headers.get('retry-after')]).toEqual([502, '1']);
      expect(await jsonOf(answer)).toMatchObject({ code: 'EDGE_UPSTREAM_UNAVAILABLE' });
      stall.release();
      await Promise.all(held);
      expect((await fetch(`${edge.url}/health/ready`)).status).toBe(200);
    });

    it('re-routes requests queued for a full service pool to the monolith, without counting it against the service', async () => {
      const stall = holding();
      payments.handle(stall.handler);
      const held = [fetch(`${edge.url}/api/payments/h1`), fetch(`${edge.url}/api/payments/h2`)];
      await eventually(() => stall.held.length === 2);
      const started = Date.now();
      const queued = await fetch(`${edge.url}/api/payments/q1`);
      expect([queued.status, queued.headers.get('x-strangler-target')]).toEqual([200, 'monolith']);
      expect(Date.now() - started).toBeLessThan(1_200);
      expect(await jsonOf(fetch(`${edge.url}/health/ready`))).toMatchObject({ status: 'ready', checks: { upstreams: 'degraded' } });
      expect(await edge.metrics()).toMatch(/edge_fallbacks_total\{capability="payments",reason="queue",service="edge"\} [1-9]/);
      expect((await breaker()).consecutiveFailures).toBe(0);
      stall.release();
      await Promise.all(held);
    });

    it('cuts off an answer whose body stalls, and counts it against the service', async () => {
      payments.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
        // ...and nothing more.
      });
      const answer = await rawExchange(edge.url, requestHead('GET', '/api/payments/p1'), 3_000);
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('{"partial":');
      expect(answer.ms).toBeLessThan(1_500);
      expect((await breaker()).consecutiveFailures).toBe(1);
    });

    it('cuts off an answer that trickles past the total deadline, and counts it against the service', async () => {
      payments.handle((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('.')), 100);
      });
      const answer = await rawExchange(edge.url, requestHead('GET', '/api/payments/p1'), 5_000);
      expect(answer.ms).toBeGreaterThan(2_000);
      expect(answer.ms).toBeLessThan(3_500);
      expect((await breaker()).consecutiveFailures).toBe(1);
    });

    it('does not blame the service for a client that reads its answer slowly', async () => {
      const big = 'b'.repeat(4 * 1024 * 1024);
      payments.handle((_req, res) => {
        res.setHeader('content-type', 'text/plain');
        res.end(big);
      });
      const received = await new Promise<number>((resolve, reject) => {
        const { port } = new URL(edge.url);
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(requestHead('GET', '/api/payments/big')));
        let bytes = 0;
        socket.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          // Stop reading for longer than the stall deadline, twice.
          if (bytes > 1024 * 1024 && bytes - chunk.length <= 1024 * 1024) {
            socket.pause();
            setTimeout(() => socket.resume(), 700);
          }
          if (bytes > 3 * 1024 * 1024 && bytes - chunk.length <= 3 * 1024 * 1024) {
            socket.pause();
            setTimeout(() => socket.resume(), 700);
          }
        });
        socket.on('close', () => resolve(bytes));
        socket.on('error', reject);
      });
      expect(received).toBeGreaterThan(big.length);
      expect(await breaker()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    });
  });
});

describe('a body still arriving after its answer', () => {
  let monolith: TestUpstream;
  let edge: TestEdge;
  beforeAll(async () => {
    // Answers at once, before reading the body (as a side refusing an unauthenticated call may).
    monolith = await startUpstream({
      name: 'monolith',
      streaming: (req, res) => {
        res.statusCode = 401;
        res.end('{"code":"AUTH_UNAUTHENTICATED"}');
        req.resume();
      },
    });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: monolith.url }), env: LIMITS });
  });
  afterAll(async () => {
    await edge.stop();
    await monolith.stop();
  });

  it('stops holding a body to the rate once the client has its answer (an upstream may answer before reading it)', async () => {
    const { port } = new URL(edge.url);
    const exchange = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let text = '';
      socket.setEncoding('latin1');
      socket.on('error', reject);
      socket.on('data', (chunk: string) => {
        text += chunk;
        if ((text.match(/HTTP\/1\.1 \d{3}/g) ?? []).length === 2) {
          socket.end();
          resolve(text);
        }
      });
      socket.write(requestHead('POST', '/api/orders', { 'Content-Type': 'application/json', 'Content-Length': 40, Connection: 'keep-alive' }));
      // The rest of the body well below the minimum rate, after the answer: then a second request.
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        socket.write('x'.repeat(4));
        if (sent === 10) {
          clearInterval(timer);
          socket.write(requestHead('GET', '/api/orders', { Connection: 'keep-alive' }));
        }
      }, 150);
    });
    expect(exchange.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 401', 'HTTP/1.1 401']);
  });

});
