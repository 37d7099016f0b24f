import { echo, eventually, jsonOf, startUpstream, type TestUpstream } from './support/upstream';
import { monolithOnly, standardRoutes, startTestEdge, type TestEdge } from './support/test-edge';

const targetOf = async (edge: TestEdge, path: string) => (await fetch(`${edge.url}${path}`)).headers.get('x-upstream');

describe('routes file reloads', () => {
  let first: TestUpstream;
  let second: TestUpstream;
  let edge: TestEdge;
  let release: () => void = () => undefined;

  beforeAll(async () => {
    first = await startUpstream({ name: 'first' });
    second = await startUpstream({ name: 'second' });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: first.url, auth: first.url, payments: first.url }) });
  });
  afterAll(async () => {
    await edge.stop();
    await Promise.all([first.stop(), second.stop()]);
  });

  it('applies an edit without dropping a request in flight', async () => {
    first.handle((req, res, body) => {
      if (req.url !== '/api/orders/slow') return echo(req, res, body);
      void new Promise<void>((resolve) => (release = resolve)).then(() => res.end('slow answer from first'));
    });
    const inFlight = fetch(`${edge.url}/api/orders/slow`).then(async (r) => [r.status, await r.text()]);
    await eventually(() => first.requests.length === 1);

    edge.writeRoutes(standardRoutes({ monolith: second.url, auth: second.url, payments: second.url }));
    await eventually(async () => (await targetOf(edge, '/api/orders')) === 'second');
    release();
    expect(await inFlight).toEqual([200, 'slow answer from first']);
    expect(await edge.metrics()).toMatch(/edge_config_reloads_total\{file="routes",outcome="applied"[^}]*\} 2/); // the initial load and the edit
  });

  it('keeps the last good routes when an edit is invalid, and says why', async () => {
    edge.writeRoutes('{"monolith": {"url": "not a url"}, "capabilities": {}}');
    await eventually(async () => /edge_config_reloads_total\{file="routes",outcome="invalid"/.test(await edge.metrics()));
    expect(await targetOf(edge, '/api/orders')).toBe('second');
    const view = await jsonOf(fetch(`${edge.url}/_edge/routes`));
    expect(view.monolith.url).toBe(second.url);
    expect(view.file.lastError.errors).toEqual(['monolith.url: "not a url" is not an http(s) URL']);

    edge.writeRoutes('{"monolith": ');
    await eventually(async () => /edge_config_reloads_total\{file="routes",outcome="invalid"[^}]*\} 2/.test(await edge.metrics()));
    expect(await targetOf(edge, '/api/orders')).toBe('second');
  });
});

describe('flags file flips', () => {
  let monolith: TestUpstream;
  let service: TestUpstream;
  let edge: TestEdge;

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    service = await startUpstream({ name: 'payments' });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url }), flags: monolithOnly() });
  });
  afterAll(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), service.stop()]);
  });

  it('routes by an edited flags file within a second, both ways', async () => {
    expect(await targetOf(edge, '/api/payments/p1')).toBe('monolith');
    let started = Date.now();
    edge.setFlags([{ capability: 'payments', enabled: true, stage: 'complete', rollout: 100 }]);
    await eventually(async () => (await targetOf(edge, '/api/payments/p1')) === 'payments', 3_000, 10);
    expect(Date.now() - started).toBeLessThan(1_000);

    started = Date.now();
    edge.setFlags(monolithOnly());
    await eventually(async () => (await targetOf(edge, '/api/payments/p1')) === 'monolith', 3_000, 10);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('keeps the last good flags when the file turns invalid, counting the error', async () => {
    edge.setFlags([{ capability: 'payments', enabled: true, stage: 'complete', rollout: 100 }]);
    await eventually(async () => (await targetOf(edge, '/api/payments/p1')) === 'payments');
    edge.writeFlagsText('{"version": 2, "features": [{"name": "strangler.payments"}]}');
    await eventually(async () => /edge_flag_source_errors_total\{source="local-file",severity="error"/.test(await edge.metrics()));
    expect(await targetOf(edge, '/api/payments/p1')).toBe('payments');
    const capabilities = await jsonOf(fetch(`${edge.url}/_edge/capabilities`));
    expect(capabilities.flags).toMatchObject({ kind: 'local-file', ready: true, errors: 1 });
    expect(capabilities.flags.lastError).toMatch(/features\.0\.enabled/);
  });
});
