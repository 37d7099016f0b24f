import type { ShadowJob, ShadowMirror } from '../src/shadow';
import { jsonOf, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef0123456789';

describe('admin endpoints and health', () => {
  let upstream: TestUpstream;
  let edge: TestEdge;
  const shadow: ShadowMirror = { submit: () => undefined, admit: () => true, skip: () => undefined, mismatches: () => ({ routes: [{ routeKey: 'GET /api/payments/:id', mismatches: 2 }] }), close: async () => undefined };

  beforeAll(async () => {
    upstream = await startUpstream();
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: upstream.url, auth: upstream.url, payments: upstream.url }),
      flags: [
        { capability: 'auth', enabled: true, stage: 'reads', rollout: 10 },
        { capability: 'payments', enabled: true, stage: 'shadow', rollout: 25 },
      ],
      env: { EDGE_ADMIN_TOKEN: ADMIN_TOKEN },
      overrides: { shadow },
    });
  });
  afterAll(async () => {
    await edge.stop();
    await upstream.stop();
  });

  const admin = (path: string, token?: string) => fetch(`${edge.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('refuses admin calls without the right bearer token', async () => {
    for (const token of [undefined, 'wrong', `${ADMIN_TOKEN}x`]) {
      const response = await admin('/_edge/routes', token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await jsonOf(response)).toMatchObject({ code: 'EDGE_ADMIN_UNAUTHORIZED', status: 401 });
    }
  });

  it('shows the routes in force', async () => {
    const body = await jsonOf(admin('/_edge/routes', ADMIN_TOKEN));
    expect(body.monolith.url).toBe(upstream.url);
    expect(body.capabilities.map((c: { name: string; flag: string }) => [c.name, c.flag])).toEqual([
      ['auth', 'strangler.auth'],
      ['payments', 'strangler.payments'],
    ]);
    expect(body.file).toEqual({ file: expect.stringMatching(/routes\.json$/), manifestsDir: expect.stringMatching(/manifests$/), loadedAt: expect.any(String) });
  });

  it('shows each capability’s stage and percentage as the flag client sees them', async () => {
    const body = await jsonOf(admin('/_edge/capabilities', ADMIN_TOKEN));
    expect(body.flags).toMatchObject({ kind: 'local-file', ready: true });
    expect(body.readYourWrites).toEqual({ windowMs: 5_000, callerKeys: 0 });
    const row = (method: string, inRollout: boolean, side: string, reason: string, mirror = false) => ({ method, inRollout, side, reason, refused: false, mirror });
    expect(body.capabilities).toEqual([
      {
        capability: 'auth', flag: 'strangler.auth', flagFound: true, enabled: true, stage: 'reads', percentage: 10, serviceUrl: upstream.url, breaker: 'closed', emergencyStop: null, stickiness: 'default', approved: null,
        routing: [row('GET', true, 'service', 'in_rollout'), row('GET', false, 'monolith', 'out_of_rollout'), row('POST', true, 'monolith', 'stage'), row('POST', false, 'monolith', 'stage')],
      },
      {
        capability: 'payments', flag: 'strangler.payments', flagFound: true, enabled: true, stage: 'shadow', percentage: 25, serviceUrl: upstream.url, breaker: 'closed', emergencyStop: null, stickiness: 'default', approved: null,
        routing: [row('GET', true, 'monolith', 'stage', true), row('GET', false, 'monolith', 'stage'), row('POST', true, 'monolith', 'stage'), row('POST', false, 'monolith', 'stage')],
      },
    ]);
  });

  it('delegates mismatches to the shadow module, lists breakers, and 404s the rest', async () => {
    expect(await jsonOf(admin('/_edge/mismatches', ADMIN_TOKEN))).toEqual({ routes: [{ routeKey: 'GET /api/payments/:id', mismatches: 2 }] });
    expect(await jsonOf(admin('/_edge/breakers', ADMIN_TOKEN))).toEqual({ breakers: [] });
    expect((await admin('/_EDGE/Breakers/', ADMIN_TOKEN)).status).toBe(200);
    const missing = await admin('/_edge/nothing', ADMIN_TOKEN);
    expect(missing.status).toBe(404);
    expect(await jsonOf(missing)).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('answers health and metrics itself, without the admin token', async () => {
    expect(await jsonOf(fetch(`${edge.url}/health/live`))).toEqual({ status: 'ok' });
    expect(await jsonOf(fetch(`${edge.url}/health/ready`))).toEqual({ status: 'ready', checks: { routes: 'ok', flags: 'ok', upstreams: 'ok' } });
    const metrics = await (await fetch(`${edge.url}/metrics`)).text();
    expect(metrics).toContain('edge_flag_source_ready{source="local-file",service="edge"} 1');
    expect((await fetch(`${edge.url}/health/ready/`)).status).toBe(200);
    expect(upstream.requests).toHaveLength(0);
    // Anything else under /health is the upstreams' business.
    expect((await fetch(`${edge.url}/health/deep`)).headers.get('x-strangler-target')).toBe('monolith');
  });
});

describe('shadow stage: the edge side of mirroring', () => {
  let monolith: TestUpstream;
  let service: TestUpstream;
  let edge: TestEdge;
  const jobs: ShadowJob[] = [];
  let admitting = true;
  const shed: string[] = [];
  const shadow: ShadowMirror = {
    submit: (job) => jobs.push(job),
    admit: (capability) => admitting || (shed.push(capability), false),
    skip: () => undefined,
    mismatches: () => ({}),
    close: async () => undefined,
  };

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    service = await startUpstream({ name: 'payments' });
    const routes = standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url });
    routes.capabilities.payments!.routes[1] = { methods: 'GET', path: '/api/payments/:id', shadow: { ignore: ['/payment/updatedAt'] } };
    edge = await startTestEdge({
      routes,
      flags: [{ capability: 'payments', enabled: true, stage: 'shadow', rollout: 100 }],
      env: { SHADOW_MAX_BODY_BYTES: '64' },
      overrides: { shadow },
    });
  });
  afterAll(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), service.stop()]);
  });
  beforeEach(() => {
    jobs.length = 0;
  });

  it('serves from the monolith and hands the captured answer to the mirror once the client has it', async () => {
    const response = await fetch(`${edge.url}/api/payments/p1?expand=1`, { headers: { authorization: 'Bearer tok', connection: 'keep-alive', 'x-request-id': 'shadow-req-1' } });
    const text = await response.text();
    expect(response.headers.get('x-strangler-target')).toBe('monolith');
    expect(service.requests).toHaveLength(0);
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job).toMatchObject({
      capability: 'payments',
      routeKey: 'GET /api/payments/:id',
      method: 'GET',
      url: '/api/payments/p1?expand=1',
      ignore: ['/payment/updatedAt'],
      serviceUrl: service.url,
      monolithUrl: monolith.url,
    });
    expect(job.headers).toMatchObject({ authorization: 'Bearer tok', 'x-request-id': 'shadow-req-1' });
    expect(job.headers).not.toHaveProperty('connection');
    expect(job.primary.status).toBe(200);
    expect(job.primary.headers['x-upstream']).toBe('monolith');
    expect(job.primary.truncated).toBe(true);
    expect(job.primary.body.toString()).toBe(text.slice(0, 64));
    expect(job.primary.latencyMs).toBeGreaterThan(0);
  });

  it('hands nothing over, and captures nothing, while the mirror sheds load', async () => {
    admitting = false;
    try {
      const response = await fetch(`${edge.url}/api/payments/p1`);
      expect([response.status, response.headers.get('x-strangler-target')]).toEqual([200, 'monolith']);
      await response.text();
      expect(jobs).toHaveLength(0);
      expect(shed).toEqual(['payments']);
    } finally {
      admitting = true;
    }
  });

  it('never mirrors unsafe requests', async () => {
    await (await fetch(`${edge.url}/api/payments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).text();
    expect(jobs).toHaveLength(0);
  });

  it('mirrors only the users in the rollout', async () => {
    edge.setFlags([{ capability: 'payments', enabled: true, stage: 'shadow', rollout: 0 }]);
    const { eventually } = await import('../src/testing');
    await eventually(async () => (await jsonOf(fetch(`${edge.url}/_edge/capabilities`))).capabilities[1].percentage === 0);
    await (await fetch(`${edge.url}/api/payments/p1`)).text();
    expect(jobs).toHaveLength(0);
  });
});
