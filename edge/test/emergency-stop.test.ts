import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { jsonOf, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef0123456789';

/**
 * Issue #13 §7: with Unleash unreachable there was no way to roll back. An emergency stop on the edge
 * sends a capability to the monolith whatever its flag says, until cleared, and survives a restart.
 */
describe('emergency stops on the edge', () => {
  let monolith: TestUpstream;
  let service: TestUpstream;
  const edges: TestEdge[] = [];
  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    service = await startUpstream({ name: 'payments' });
  });
  afterAll(async () => {
    await Promise.all(edges.map((edge) => edge.stop()));
    await Promise.all([monolith.stop(), service.stop()]);
  });

  const start = async (env: Record<string, string> = {}) => {
    const edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url }),
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'complete', rollout: 100 },
      ],
      env: { EDGE_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    });
    edges.push(edge);
    return edge;
  };
  const admin = (edge: TestEdge, method: string, route: string, body?: unknown, token: string | null = ADMIN_TOKEN) =>
    fetch(`${edge.url}/_edge${route}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const target = async (edge: TestEdge, method = 'GET') => (await fetch(`${edge.url}/api/payments`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { body: '{}' } : {}) })).headers.get('x-strangler-target');

  it('sends every request of the capability to the monolith until cleared, and says so everywhere', async () => {
    const edge = await start();
    expect(await target(edge)).toBe('service');

    const stopped = await admin(edge, 'PUT', '/emergency/payments', { by: 'ops-on-call', reason: 'payments service corrupting refunds' });
    expect(stopped.status).toBe(200);
    expect(await jsonOf(stopped)).toMatchObject({ capability: 'payments', flag: 'strangler.payments', by: 'ops-on-call', since: expect.any(String) });
    expect([await target(edge), await target(edge, 'POST')]).toEqual(['monolith', 'monolith']);
    const capabilities = await jsonOf(admin(edge, 'GET', '/capabilities'));
    expect(capabilities.capabilities[1]).toMatchObject({ capability: 'payments', stage: 'monolith', emergencyStop: { by: 'ops-on-call', reason: 'payments service corrupting refunds' } });
    expect(capabilities.flags.emergencyStops).toEqual([expect.objectContaining({ capability: 'payments' })]);
    expect(await edge.metrics()).toMatch(/edge_emergency_stop\{capability="payments"[^}]*\} 1/);

    const cleared = await admin(edge, 'DELETE', '/emergency/payments');
    expect(await jsonOf(cleared)).toMatchObject({ cleared: { capability: 'payments' } });
    expect(await target(edge)).toBe('service');
    expect(await jsonOf(admin(edge, 'GET', '/emergency'))).toEqual({ stops: [] });
  });

  it('survives a restart of the edge (EDGE_EMERGENCY_FILE), and a file it cannot read refuses the start', async () => {
    const first = await start();
    const file = path.join(first.dir, 'state', 'emergency.json');
    await first.stop();
    edges.splice(edges.indexOf(first), 1);
    const edge = await start({ EDGE_EMERGENCY_FILE: file });
    expect((await admin(edge, 'PUT', '/emergency/payments', { by: 'ops', reason: 'unleash is down' })).status).toBe(200);
    await edge.stop();
    edges.splice(edges.indexOf(edge), 1);
    const restarted = await start({ EDGE_EMERGENCY_FILE: file });
    expect(await target(restarted)).toBe('monolith');

    writeFileSync(file, '{"stops": [{"capability": 1}]}');
    await expect(start({ EDGE_EMERGENCY_FILE: file })).rejects.toThrow(/the emergency stops file .*emergency\.json cannot be used .*fix or remove it \(EDGE_EMERGENCY_FILE\)/);
  });

  it('refuses bad requests with problem+json and changes nothing', async () => {
    const edge = await start();
    expect((await admin(edge, 'PUT', '/emergency/payments', { by: 'x', reason: 'y' }, null)).status).toBe(401);
    const unknown = await admin(edge, 'PUT', '/emergency/orders', { by: 'x', reason: 'y' });
    expect([unknown.status, (await jsonOf(unknown)).code]).toEqual([404, 'EDGE_CAPABILITY_NOT_FOUND']);
    for (const body of [{}, { by: '', reason: 'y' }, { by: 'x', reason: 'a\u0000b' }, { by: 'x'.repeat(201), reason: 'y' }, '{"by":', '[]']) {
      const refused = await admin(edge, 'PUT', '/emergency/payments', body);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(await jsonOf(admin(edge, 'GET', '/emergency'))).toEqual({ stops: [] });
    expect(await target(edge)).toBe('service');
  });
});
