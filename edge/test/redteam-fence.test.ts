import { echo, eventually, jsonOf, startUpstream, rawExchange, requestHead, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

const ADMIN_TOKEN = 'redteam-admin-token-0123456789abcdef0123';

/**
 * Red team against the edge's write fence (decision 0018) as hostile clients and operators would:
 * the admin endpoint fed garbage, fenced routes reached by other spellings, a wall clock that steps.
 * `red team:` describes fail on this branch (605cce4) and say why; `red team (holds):` describes are
 * attacks the edge withstood, kept as regression tests.
 */
describe('red team against the edge’s write fence', () => {
  let monolith: TestUpstream;
  let service: TestUpstream;

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    service = await startUpstream({ name: 'payments' });
    monolith.handle(echo);
    service.handle(echo);
  });
  afterAll(async () => {
    await Promise.all([monolith.stop(), service.stop()]);
  });

  const startEdge = (overrides?: { now: () => number }) => {
    const routes = standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url });
    routes.capabilities.payments!.writtenThrough = [{ methods: 'POST', path: '/api/orders/:id/checkout' }];
    return startTestEdge({
      routes,
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'live', rollout: 100 },
      ],
      env: { EDGE_ADMIN_TOKEN: ADMIN_TOKEN, RETRY_AFTER_SECONDS: '2' },
      ...(overrides ? { overrides } : {}),
    });
  };
  const admin = (edge: TestEdge, method: string, path: string, init: { body?: string; token?: string | null; type?: string } = {}) =>
    fetch(`${edge.url}/_edge${path}`, {
      method,
      headers: {
        ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` }),
        ...(init.body !== undefined ? { 'content-type': init.type ?? 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
  const fenceOf = async (edge: TestEdge) => ((await jsonOf(admin(edge, 'GET', '/fences'))).fences as Array<{ capability: string; raised: boolean; expiresAt?: number }>).find((f) => f.capability === 'payments')!;

  describe('red team (holds): abusing /_edge/fences', () => {
    let edge: TestEdge;
    beforeAll(async () => {
      edge = await startEdge();
    });
    afterAll(() => edge.stop());

    it.each([
      ['no token', { body: '{"owner":"x","ttlMs":1000}', token: null }, 401],
      ['a wrong token', { body: '{"owner":"x","ttlMs":1000}', token: 'junk-1' }, 401],
      ['a JSON array', { body: '[]' }, 400],
      ['text/plain', { body: '{"owner":"x","ttlMs":1000}', type: 'text/plain' }, 400],
      ['a negative ttl', { body: '{"owner":"x","ttlMs":-1}' }, 400],
      ['a zero ttl', { body: '{"owner":"x","ttlMs":0}' }, 400],
      ['a fractional ttl', { body: '{"owner":"x","ttlMs":1.5}' }, 400],
      ['a ttl as a string', { body: '{"owner":"x","ttlMs":"1000"}' }, 400],
      ['an absurd ttl', { body: '{"owner":"x","ttlMs":1e300}' }, 400],
      ['a ttl past the cap', { body: '{"owner":"x","ttlMs":60001}' }, 400],
      ['no owner', { body: '{"ttlMs":1000}' }, 400],
      ['an owner with a slash', { body: '{"owner":"a/b","ttlMs":1000}' }, 400],
      ['an owner of 101 characters', { body: JSON.stringify({ owner: 'o'.repeat(101), ttlMs: 1000 }) }, 400],
      ['an owner as an object', { body: '{"owner":{"toString":"x"},"ttlMs":1000}' }, 400],
    ])('%s changes nothing and is answered with problem+json', async (_what, init, status) => {
      const response = await admin(edge, 'PUT', '/fences/payments', init);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await fenceOf(edge)).raised).toBe(false);
    });

    it.each(['Payments', '__proto__', 'constructor', 'payments%20', 'none'])('a capability named %s is not found and nothing is raised', async (name) => {
      const response = await admin(edge, 'PUT', `/fences/${name}`, { body: '{"owner":"x","ttlMs":1000}' });
      expect([404, 400]).toContain(response.status);
      expect((await fenceOf(edge)).raised).toBe(false);
    });

    it('lowering someone else’s or an unknown hold needs the token and never opens a fence another owner holds', async () => {
      await admin(edge, 'PUT', '/fences/payments', { body: '{"owner":"op-a","ttlMs":30000}' });
      expect((await admin(edge, 'DELETE', '/fences/payments/op-a', { token: null })).status).toBe(401);
      expect((await admin(edge, 'DELETE', '/fences/payments/op-b')).status).toBe(200);
      expect((await fenceOf(edge)).raised).toBe(true);
      await admin(edge, 'DELETE', '/fences/payments/op-a');
      expect((await fenceOf(edge)).raised).toBe(false);
    });
  });

  // "Bad input → clear 4xx problem+json that changes nothing": body-parser's own errors (a syntax
  // error, a non-object under strict parsing, a body past the route's 4 KiB limit) reach the edge's
  // error handler as unknown errors and are answered 500 (the fence is not raised, at least).
  // Fixed on main by 0b7b785 (edgeErrorHandler uses kit's translateError): passes once this branch
  // has merged main.
  describe('red team: /_edge/fences answers 500 to bodies express.json refuses', () => {
    let edge: TestEdge;
    beforeAll(async () => {
      edge = await startEdge();
    });
    afterAll(() => edge.stop());

    it.each([
      ['bad JSON', { body: '{"owner":"x",' }, 400],
      ['JSON null (strict parsing)', { body: 'null' }, 400],
      ['a body past 4 KiB', { body: JSON.stringify({ owner: 'x', ttlMs: 1000, pad: 'p'.repeat(5000) }) }, 413],
    ])('%s is a 4xx problem+json and changes nothing', async (_what, init, status) => {
      const response = await admin(edge, 'PUT', '/fences/payments', init);
      // Observed on 605cce4: 500 (application/problem+json, an internal error).
      expect({ status: response.status, raised: (await fenceOf(edge)).raised }).toEqual({ status, raised: false });
    });
  });

  describe('red team (holds): fenced writes reached by other spellings and raw clients', () => {
    let edge: TestEdge;
    beforeAll(async () => {
      edge = await startEdge();
      expect((await admin(edge, 'PUT', '/fences/payments', { body: '{"owner":"rt","ttlMs":60000}' })).status).toBe(200);
    });
    afterAll(() => edge.stop());

    // Each is a payments write the upstreams' express routers (case-insensitive, trailing slash
    // ignored) would run: none may reach either side while the fence stands.
    it.each([
      '/api/Payments',
      '/API/PAYMENTS/',
      '//api//payments',
      '/api/payments/',
      '/api/%70ayments',
      '/api/payments?x=1',
      '/api/payments/p1/Refunds',
      '/api/payments/p1/refunds/',
      '/api/payments/p%31/refunds',
      '/api/orders/o1/CHECKOUT',
      '/api/orders/o1/checkout/',
      '//api/orders//o1/checkout',
      '/api/orders/o%31/checkout',
      'http://edge.test/api/payments',
      'http://edge.test/api/orders/o1/checkout',
    ])('POST %s is refused before any side sees it', async (target) => {
      const before = { service: service.requests.length, monolith: monolith.requests.length };
      const body = '{"amount":"1.00","currency":"USD"}';
      const answer = await rawExchange(edge.url, requestHead('POST', target, { 'content-type': 'application/json', 'content-length': body.length, 'idempotency-key': `k-${target}` }) + body);
      expect({ status: answer.status, sent: { service: service.requests.length - before.service, monolith: monolith.requests.length - before.monolith } }).toEqual({
        status: answer.status === 503 ? 503 : answer.status >= 400 && answer.status < 500 ? answer.status : 'a 503 or a 4xx',
        sent: { service: 0, monolith: 0 },
      });
    });

    it('pipelined writes behind a read on one connection: the first is refused and the connection closed, no write after it runs', async () => {
      const before = { service: service.requests.length, monolith: monolith.requests.length };
      const body = '{"amount":"1.00","currency":"USD"}';
      const post = (key: string) => `POST /api/payments HTTP/1.1\r\nHost: edge.test\r\ncontent-type: application/json\r\nidempotency-key: ${key}\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
      const answer = await rawExchange(edge.url, `GET /api/payments/p1 HTTP/1.1\r\nHost: edge.test\r\n\r\n${post('pipe-1')}${post('pipe-2')}GET /api/payments/p2 HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n\r\n`);
      // The refusal does not read the body, so the connection goes with it (refuseFenced): the rest of the pipeline is never run.
      expect(answer.raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 503']);
      // (Node may still dispatch the trailing GET, a read: harmless.) No write reached either side.
      expect([...service.requests.slice(before.service), ...monolith.requests.slice(before.monolith)].filter((r) => r.method !== 'GET')).toEqual([]);
    });

    it('a chunked keyed write whose body straddles a whole switch (raised and lowered) is refused', async () => {
      await admin(edge, 'DELETE', '/fences/payments/rt');
      const url = new URL(edge.url);
      const { connect } = await import('node:net');
      const socket = connect(Number(url.port), url.hostname);
      await new Promise((resolve) => socket.once('connect', resolve));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.write('POST /api/payments HTTP/1.1\r\nHost: edge.test\r\ncontent-type: application/json\r\nidempotency-key: k-chunked\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"amo\r\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await admin(edge, 'PUT', '/fences/payments', { body: '{"owner":"switch","ttlMs":30000}' });
      await admin(edge, 'DELETE', '/fences/payments/switch');
      const before = service.requests.length;
      const rest = 'unt":"1.00","currency":"USD"}';
      socket.write(`${rest.length.toString(16)}\r\n${rest}\r\n0\r\n\r\n`);
      await eventually(() => answer.includes('\r\n\r\n') && answer.includes('}'));
      socket.destroy();
      expect(answer).toMatch(/^HTTP\/1\.1 503/);
      expect(service.requests.length).toBe(before);
      await admin(edge, 'PUT', '/fences/payments', { body: '{"owner":"rt","ttlMs":60000}' });
    });
  });

  // A hold's expiry is an epoch time on the edge's wall clock (Date.now): an NTP step, a VM resumed
  // from a pause or an operator fixing the clock moves every fence with it. Forward, a fence raised
  // for a switch that is still draining vanishes at once and writes reach the old writer mid-switch;
  // backward, a dead CLI's fence (decision 0018: "expires, so a CLI killed mid-switch cannot leave
  // writes refused for ever") refuses the capability's writes for as long as the step.
  describe('red team: fence holds are timed by the wall clock, not a monotonic one', () => {
    /** The edge's wall clock: the real one, stepped by `offset`. */
    let offset = 0;
    const wall = () => Date.now() + offset;
    let edge: TestEdge;
    beforeAll(async () => {
      edge = await startEdge({ now: wall });
    });
    afterEach(() => {
      offset = 0;
    });
    afterAll(() => edge.stop());

    it('a wall clock stepping 30 s forward drops a 20 s fence raised a moment ago, mid-switch', async () => {
      await admin(edge, 'PUT', '/fences/payments', { body: '{"owner":"switch","ttlMs":20000}' });
      offset += 30_000;
      const write = await fetch(`${edge.url}/api/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-step' }, body: '{}' });
      // Observed on 605cce4: raised false, and the write went to the service (200) while the switch still ran.
      expect({ raised: (await fenceOf(edge)).raised, write: write.status }).toEqual({ raised: true, write: 503 });
      await admin(edge, 'DELETE', '/fences/payments/switch');
    });

    it('a wall clock stepping an hour back keeps a dead CLI’s 1 s fence for an hour', async () => {
      await admin(edge, 'PUT', '/fences/payments', { body: '{"owner":"dead-cli","ttlMs":1000}' });
      offset -= 3_600_000;
      // Wait (real time) well past the hold's 1 s.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const fence = await fenceOf(edge);
      // Observed on 605cce4: still raised, expiring in ~3601 s.
      expect({ raised: fence.raised, expiresInSeconds: fence.expiresAt === undefined ? null : Math.round((fence.expiresAt - wall()) / 1000) }).toEqual({ raised: false, expiresInSeconds: null });
      await admin(edge, 'DELETE', '/fences/payments/dead-cli');
    });
  });
});
