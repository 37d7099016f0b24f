import { startTestEdge, standardRoutes, closedPortUrl, startUpstream, type TestEdge, type TestUpstream } from '@strangler/edge/testing';
import { strangler } from './support/cli-harness';

jest.setTimeout(60_000);

const ADMIN_TOKEN = 'emergency-test-admin-token-0123456789abcdef';

/** `strangler emergency`: the rollback that needs no Unleash and no gates (issue #13 §7). */
describe('strangler emergency stop / clear', () => {
  let monolith: TestUpstream;
  let service: TestUpstream;
  let edge: TestEdge;
  let env: Record<string, string>;
  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    service = await startUpstream({ name: 'payments' });
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url }),
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'complete', rollout: 100 },
      ],
      env: { EDGE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    // No Unleash and no sync workers anywhere: the emergency path needs neither.
    env = { EDGE_URL: edge.url, EDGE_ADMIN_TOKEN: ADMIN_TOKEN, UNLEASH_URL: `${await closedPortUrl()}/api/`, UNLEASH_ADMIN_TOKEN: 'x', SYNC_URLS: await closedPortUrl() };
  });
  afterAll(async () => {
    await edge?.stop();
    await Promise.all([monolith?.stop(), service?.stop()]);
  });
  const servedBy = async () => (await fetch(`${edge.url}/api/payments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).headers.get('x-strangler-target');

  it('sends the capability to the monolith on the edge with Unleash down, status says so, clear undoes it', async () => {
    expect(await servedBy()).toBe('service');
    const stopped = await strangler(['emergency', 'stop', 'payments', '--reason', 'refunds double-counted', '--by', 'ops'], env);
    expect(stopped.code).toBe(0);
    expect(stopped.out).toMatch(/^payments: EMERGENCY STOP on 1\/1 edge\(s\): every request goes to the monolith/);
    expect(await servedBy()).toBe('monolith');

    const status = await strangler(['status', 'payments', '--json'], env);
    expect(status.json().problems).toContainEqual(expect.stringMatching(/EMERGENCY STOP on payments since .* by ops \(refunds double-counted\)/));

    const cleared = await strangler(['emergency', 'clear', 'payments', '--json'], env);
    expect([cleared.code, cleared.json()]).toEqual([0, expect.objectContaining({ ok: true, edges: [expect.objectContaining({ ok: true, detail: 'cleared' })] })]);
    expect(await servedBy()).toBe('service');
  });

  it('exit 1 naming an edge that did not take it; bad input is exit 2 and changes nothing', async () => {
    const unreachable = await strangler(['emergency', 'stop', 'payments', '--reason', 'x'], { ...env, EDGE_URL: await closedPortUrl() });
    expect(unreachable.code).toBe(1);
    expect(unreachable.out).toMatch(/FAIL .*cannot reach the edge/);
    expect(unreachable.out).toMatch(/1 edge\(s\) did not take it: they still route as before/);
    for (const argv of [['emergency', 'stop', 'payments'], ['emergency', 'halt', 'payments'], ['emergency', 'stop'], ['emergency', 'clear', 'payments', '--reason', 'x']]) {
      expect((await strangler(argv, env)).code).toBe(2);
    }
    const unknown = await strangler(['emergency', 'stop', 'orders', '--reason', 'x'], env);
    expect([unknown.code, unknown.out]).toEqual([1, expect.stringMatching(/does not route a capability named orders/)]);
    expect(await servedBy()).toBe('service');
  });
});
