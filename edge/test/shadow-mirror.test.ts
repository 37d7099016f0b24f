import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createLogger } from '@strangler/kit';
import { createShadowMirror, type CapturedResponse, type ShadowJob, type ShadowMirror, type ShadowOptions } from '../src/shadow';

/** A real HTTP upstream on port 0 that records what it received. */
interface Upstream {
  url: string;
  received: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function startUpstream(handler: Handler): Promise<Upstream> {
  const received: Upstream['received'] = [];
  const server: Server = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Payment p2's state on each side, changed by the test between calls. */
const p2 = { monolith: 'authorized', service: 'authorized' };

/** The legacy side: a random requestId and per-item fetchedAt on every answer — noise to be learned. */
function monolithHandler(req: IncomingMessage, res: ServerResponse): void {
  const noise = { requestId: randomUUID(), servedAt: new Date().toISOString() };
  if (req.url === '/api/payments/p2') {
    json(res, 200, { payment: { id: 'p2', status: p2.monolith }, ...noise });
  } else if (req.url === '/api/payments/p1') {
    json(res, 200, { payment: { id: 'p1', amount: '19.99', currency: 'USD', status: 'authorized' }, ...noise });
  } else if (req.url?.startsWith('/api/payments?')) {
    const payments = ['a', 'b', 'c'].map((id) => ({ id, createdAt: '2024-01-01T00:00:00.000Z', fetchedAt: randomUUID() }));
    json(res, 200, { payments, nextCursor: null, ...noise });
  } else if (req.url?.split('?')[0] === '/api/auth/me') {
    json(res, 200, { user: { id: 'u1', email: 'ada.lovelace@example.com', name: 'Ada' }, token: 'monolith-secret-token', ...noise }, { 'set-cookie': ['sid=abc; HttpOnly'] });
  } else if (req.url === '/slow') {
    setTimeout(() => json(res, 200, { ok: true }), 300);
  } else if (req.url === '/hang') {
    // never answers
  } else {
    json(res, 404, { code: 'ROUTE_NOT_FOUND', ...noise });
  }
}

/** The extracted service: the same noise, plus one real difference per route. */
function serviceHandler(req: IncomingMessage, res: ServerResponse): void {
  const noise = { requestId: randomUUID(), servedAt: new Date().toISOString() };
  if (req.url === '/api/payments/p2') {
    json(res, 200, { payment: { id: 'p2', status: p2.service }, ...noise });
  } else if (req.url === '/api/payments/p1') {
    json(res, 200, { payment: { id: 'p1', amount: '19.99', currency: 'USD', status: 'AUTHORIZED' }, ...noise });
  } else if (req.url?.startsWith('/api/payments?')) {
    // createdAt differs (the routes file ignores it); everything else matches.
    const payments = ['a', 'b', 'c'].map((id) => ({ id, createdAt: '2024-01-01T00:00:00Z', fetchedAt: randomUUID() }));
    json(res, 200, { payments, nextCursor: null, ...noise });
  } else if (req.url?.split('?')[0] === '/api/auth/me') {
    json(res, 200, { user: { id: 'u1', email: 'ada.lovelace@example.org', name: 'Ada' }, token: 'service-secret-token', ...noise });
  } else if (req.url === '/hang') {
    json(res, 200, { answered: 'by the service only' }); // the monolith never answers this one
  } else {
    monolithHandler(req, res);
  }
}

async function capture(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<CapturedResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request(`${baseUrl}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const flat: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) flat[name] = value;
        resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks), truncated: false, latencyMs: performance.now() - started });
      });
    })
      .on('error', reject)
      .end();
  });
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type Report = {
  routes: Array<{
    routeKey: string;
    mirrored: number;
    compared: number;
    mismatched: number;
    inconclusive: number;
    errors: { candidate: number; secondary: number };
    fields: Record<string, number>;
    noise: string[];
    samples: any[];
  }>;
  dropped: number;
  droppedByReason: Record<string, number>;
  inFlight: number;
  queued: number;
};

describe('shadow mirror against real upstreams', () => {
  let monolith: Upstream;
  let service: Upstream;
  const agents = new Map<string, Agent>();
  const agentFor = (baseUrl: string) => {
    let agent = agents.get(baseUrl);
    if (!agent) agents.set(baseUrl, (agent = new Agent({ keepAlive: true })));
    return agent;
  };
  const logger = createLogger({ name: 'shadow-test', level: 'silent' });
  const mirrors: ShadowMirror[] = [];

  function mirror(overrides: Partial<ShadowOptions> = {}): { shadow: ShadowMirror; registry: Registry; report: () => Report } {
    const registry = new Registry();
    const shadow = createShadowMirror({ registry, logger, maxConcurrent: 4, maxQueue: 100, maxBodyBytes: 64 * 1024, timeoutMs: 2_000, agentFor, sampleSize: 3, maxLoopUtilization: 1, ...overrides });
    mirrors.push(shadow);
    return { shadow, registry, report: () => shadow.mismatches() as Report };
  }

  async function job(path: string, overrides: Partial<ShadowJob> = {}, requestHeaders: Record<string, string> = {}): Promise<ShadowJob> {
    const headers = { 'x-request-id': `req-${randomUUID()}`, accept: 'application/json', ...requestHeaders };
    return {
      capability: 'payments',
      routeKey: `GET ${path.split('?')[0]}`,
      method: 'GET',
      url: path,
      headers,
      ignore: [],
      primary: await capture(monolith.url, path, headers),
      serviceUrl: service.url,
      monolithUrl: monolith.url,
      ...overrides,
    };
  }

  const route = (report: Report, routeKey: string) => report.routes.find((r) => r.routeKey === routeKey)!;

  beforeAll(async () => {
    monolith = await startUpstream(monolithHandler);
    service = await startUpstream(serviceHandler);
  });

  afterAll(async () => {
    await Promise.all(mirrors.map((m) => m.close()));
    for (const agent of agents.values()) agent.destroy();
    await Promise.all([monolith.close(), service.close()]);
  });

  it('learns the monolith\'s own noise, never reports it, and reports the real difference by field', async () => {
    const { shadow, registry, report } = mirror();
    for (let i = 0; i < 5; i++) shadow.submit(await job('/api/payments/p1'));
    await waitFor(() => route(report(), 'GET /api/payments/p1')?.compared === 5);

    const stats = route(report(), 'GET /api/payments/p1');
    expect(stats).toMatchObject({ mirrored: 5, compared: 5, mismatched: 5, inconclusive: 0 });
    expect(stats.fields).toEqual({ '/payment/status': 5 });
    expect(stats.noise).toEqual(expect.arrayContaining(['/requestId', '/servedAt']));
    expect(stats.samples).toHaveLength(3); // sampleSize
    expect(stats.samples[2].differences).toEqual([{ field: '/payment/status', monolith: 'authorized', service: 'AUTHORIZED' }]);

    const metrics = await registry.metrics();
    expect(metrics).toContain('edge_shadow_mismatches_total{capability="payments",route="GET /api/payments/p1",field="/payment/status"} 5');
    expect(metrics).not.toMatch(/edge_shadow_mismatches_total\{[^}]*field="\/requestId"/);
    expect(metrics).toContain('edge_shadow_mirrored_total{capability="payments",route="GET /api/payments/p1"} 5');
    for (const side of ['primary', 'secondary', 'candidate']) {
      expect(metrics).toContain(`edge_shadow_upstream_duration_seconds_count{capability="payments",side="${side}"} 5`);
    }
  });

  it('excludes a write landing between the two monolith calls from that request only, not for good', async () => {
    const { shadow, report } = mirror();
    const routeKey = 'GET /api/payments/p2';
    const warmUp = await job('/api/payments/p2');
    for (let i = 0; i < 3; i++) shadow.submit(warmUp);
    await waitFor(() => route(report(), routeKey)?.compared === 3);

    // The client saw "authorized"; the payment is captured before the mirror's calls.
    const raced = await job('/api/payments/p2');
    Object.assign(p2, { monolith: 'captured', service: 'captured' });
    shadow.submit(raced);
    await waitFor(() => route(report(), routeKey)?.compared === 4);
    expect(route(report(), routeKey)).toMatchObject({ mismatched: 0, fields: {} });
    expect(route(report(), routeKey).noise).not.toContain('/payment/status');

    // Later the service really disagrees on that field: reported.
    p2.service = 'CAPTURED';
    shadow.submit(await job('/api/payments/p2'));
    await waitFor(() => route(report(), routeKey)?.compared === 5);
    expect(route(report(), routeKey)).toMatchObject({ mismatched: 1, fields: { '/payment/status': 1 } });
  });

  it('learns noise inside arrays as a generalised pointer and honours routes-file ignores with *', async () => {
    const { shadow, report } = mirror();
    for (let i = 0; i < 3; i++) shadow.submit(await job('/api/payments?limit=3', { ignore: ['/payments/*/createdAt'] }));
    await waitFor(() => route(report(), 'GET /api/payments')?.compared === 3);
    const stats = route(report(), 'GET /api/payments');
    expect(stats.noise).toContain('/payments/*/fetchedAt');
    expect(stats).toMatchObject({ mismatched: 0, fields: {} });

    // The same route without the ignore: createdAt is a real difference, counted under one label.
    shadow.submit(await job('/api/payments?limit=3'));
    await waitFor(() => route(report(), 'GET /api/payments')?.compared === 4);
    expect(route(report(), 'GET /api/payments').fields).toEqual({ '/payments/*/createdAt': 1 });
  });

  it('redacts samples: secrets blanked, emails masked, credentials in headers removed', async () => {
    const { shadow, report } = mirror();
    shadow.submit(await job('/api/auth/me?email=ada@example.com&token=abc', {}, { authorization: 'Bearer very-secret', cookie: 'sid=abc' }));
    await waitFor(() => route(report(), 'GET /api/auth/me')?.compared === 1);

    const text = JSON.stringify(report());
    for (const secret of ['very-secret', 'sid=abc', 'monolith-secret-token', 'service-secret-token', 'ada.lovelace@', 'ada@example.com', 'token=abc']) {
      expect(text).not.toContain(secret);
    }
    const sample = route(report(), 'GET /api/auth/me').samples.at(-1);
    expect(sample.requestHeaders).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]', accept: 'application/json' });
    expect(sample.differences).toEqual(
      expect.arrayContaining([
        { field: '/user/email', monolith: 'a***@example.com', service: 'a***@example.org' },
        { field: '/token', monolith: '[redacted]', service: '[redacted]' },
        { field: 'header:set-cookie', monolith: 'present', service: 'absent' },
      ]),
    );
    expect(sample.monolith.headers['set-cookie']).toBe('[redacted]');
    expect(sample.requestId).toMatch(/^req-/);
    expect(sample.url).toBe('/api/auth/me?email=a***%40example.com&token=%5Bredacted%5D');
  });

  it('stays non-blocking under saturation and counts what it drops', async () => {
    const { shadow, registry, report } = mirror({ maxConcurrent: 1, maxQueue: 1 });
    const slow = await job('/slow');
    const before = monolith.received.length;
    const started = performance.now();
    for (let i = 0; i < 50; i++) shadow.submit(slow);
    const submitMs = performance.now() - started;
    expect(submitMs).toBeLessThan(50); // 50 submits against a 300 ms upstream
    expect(report()).toMatchObject({ dropped: 48, droppedByReason: { queue_full: 48 } });
    expect(await registry.getSingleMetricAsString('edge_shadow_dropped_total')).toContain('edge_shadow_dropped_total{capability="payments",reason="queue_full"} 48');

    await waitFor(() => route(report(), 'GET /slow')?.compared === 2, 3_000);
    expect(route(report(), 'GET /slow')).toMatchObject({ mirrored: 2, mismatched: 0 });
    expect(monolith.received.length - before).toBe(0); // equal answers need no second monolith call
  });

  it('asks the monolith a second time only when the service differs in a field not known as noise', async () => {
    const { shadow, registry, report } = mirror();
    const before = monolith.received.length;
    shadow.submit(await job('/slow')); // both sides answer the same
    await waitFor(() => route(report(), 'GET /slow')?.compared === 1, 3_000);
    expect(monolith.received.length - before).toBe(1); // only job() capturing the primary answer

    // p1: the service differs (status, and the random noise until it is learned).
    for (let i = 0; i < 4; i++) shadow.submit(await job('/api/payments/p1'));
    await waitFor(() => route(report(), 'GET /api/payments/p1')?.compared === 4);
    expect(route(report(), 'GET /api/payments/p1')).toMatchObject({ mismatched: 4, fields: { '/payment/status': 4 } });
    const seconds = await registry.getSingleMetricAsString('edge_shadow_upstream_duration_seconds');
    expect(seconds).toContain('edge_shadow_upstream_duration_seconds_count{capability="payments",side="secondary"} 4');
    expect(seconds).toContain('edge_shadow_upstream_duration_seconds_count{capability="payments",side="candidate"} 5');
  });

  it('backs off while the edge is busy: jobs are dropped as busy, and mirrored again once it is not', async () => {
    let utilization = 0.9;
    const { shadow, report } = mirror({ maxLoopUtilization: 0.5, loadProbe: { utilization: () => utilization, stop: () => undefined } });
    const seen = service.received.length;
    const p1 = await job('/api/payments/p1');
    for (let i = 0; i < 3; i++) shadow.submit(p1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(report()).toMatchObject({ dropped: 3, droppedByReason: { busy: 3 } });
    expect(service.received.length).toBe(seen);
    // What the edge asks before capturing an answer it would mirror: no, and counted.
    expect(shadow.admit('payments')).toBe(false);
    expect(report()).toMatchObject({ dropped: 4, droppedByReason: { busy: 4 } });

    utilization = 0.2;
    expect(shadow.admit('payments')).toBe(true);
    shadow.submit(p1);
    await waitFor(() => route(report(), 'GET /api/payments/p1')?.compared === 1);
    expect(report().droppedByReason).toEqual({ busy: 4 });
  });

  it('measures the event loop itself by default', async () => {
    expect(() => mirror({ maxLoopUtilization: 0 })).toThrow(/maxLoopUtilization/);
    const { shadow, report } = mirror({ maxLoopUtilization: 0.99 });
    shadow.submit(await job('/api/payments/p1')); // a test process's loop is far from busy
    await waitFor(() => route(report(), 'GET /api/payments/p1')?.compared === 1);
  });

  it('refuses unsafe methods without sending anything', async () => {
    const { shadow, report } = mirror();
    const base = await job('/api/payments/p1');
    const seen = monolith.received.length + service.received.length;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'post', 'TRACE']) shadow.submit({ ...base, method });
    shadow.submit({ ...base, url: 'http://evil.example/steal' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(report()).toMatchObject({ droppedByReason: { unsafe_method: 6, invalid_job: 1 }, routes: [] });
    expect(monolith.received.length + service.received.length).toBe(seen);
  });

  it('never throws from submit, even on garbage', () => {
    const { shadow } = mirror();
    expect(() => shadow.submit(undefined as never)).not.toThrow();
    expect(() => shadow.submit({ method: 'GET' } as never)).not.toThrow();
  });

  it('counts upstream failures per side, as errors not mismatches', async () => {
    const { shadow, registry, report } = mirror({ timeoutMs: 150 });
    const down = await startUpstream(() => undefined);
    await down.close(); // a port nobody listens on any more
    shadow.submit(await job('/api/payments/p1', { serviceUrl: down.url }));
    shadow.submit({ ...(await job('/api/payments/p1')), url: '/hang', routeKey: 'GET /hang' });
    await waitFor(() => report().inFlight === 0 && report().routes.length === 2);
    await waitFor(() => route(report(), 'GET /hang')?.errors.secondary === 1);

    expect(route(report(), 'GET /api/payments/p1')).toMatchObject({ compared: 0, mismatched: 0, errors: { candidate: 1, secondary: 0 } });
    // The service answered differently, and the monolith's second opinion never came: inconclusive.
    expect(route(report(), 'GET /hang')).toMatchObject({ compared: 0, mismatched: 0, inconclusive: 1, errors: { candidate: 0, secondary: 1 } });
    const errors = await registry.getSingleMetricAsString('edge_shadow_errors_total');
    expect(errors).toContain('edge_shadow_errors_total{capability="payments",side="candidate"} 1');
    expect(errors).toContain('edge_shadow_errors_total{capability="payments",side="secondary"} 1');
  });

  it('forwards the request id, marks mirrored calls, and targets each upstream\'s own host', async () => {
    const { shadow, report } = mirror();
    const j = await job('/api/payments/p1', {}, { host: 'edge.example', 'x-request-id': 'req-fixed' });
    const from = service.received.length;
    shadow.submit(j);
    await waitFor(() => route(report(), 'GET /api/payments/p1')?.compared === 1);
    const call = service.received[from]!;
    expect(call.headers).toMatchObject({ 'x-request-id': 'req-fixed', 'x-shadow-request': 'candidate', host: new URL(service.url).host, 'accept-encoding': 'identity' });
  });

  it('close() waits for the in-flight job, then refuses and drops the rest', async () => {
    const { shadow, report } = mirror({ maxConcurrent: 1, maxQueue: 5 });
    const slow = await job('/slow');
    const from = service.received.length;
    shadow.submit(slow);
    shadow.submit(slow); // waiting: dropped as "closed"
    await waitFor(() => service.received.length > from);

    let closed = false;
    const closing = shadow.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    expect(report().inFlight).toBe(1);
    await closing;
    expect(route(report(), 'GET /slow')).toMatchObject({ mirrored: 1, compared: 1 });

    shadow.submit(slow);
    expect(report()).toMatchObject({ inFlight: 0, queued: 0, droppedByReason: { closed: 2 } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(service.received.length).toBe(from + 1);
    await shadow.close(); // idempotent
  });
});
