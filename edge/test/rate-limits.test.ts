import { createHash } from 'node:crypto';
import type { SessionLookup } from '@strangler/kit';
import type { SessionPeers } from '../src/identity/user-resolver';
import { addressKey } from '../src/identity/client-key';
import { buildRoutingTable } from '../src/routing/routing-inputs';
import { rawExchange, inputTexts, standardRoutes, startTestEdge, eventually, startUpstream, type RoutesFileShape, type TestEdge, type TestUpstream } from '../src/testing';
import { limitedRoutes } from './support/limited-routes';

/** Tokens `user-<name>-<n>` belong to user <name>; anything else is nobody's. */
const peers: SessionPeers = {
  enabled: true,
  lookup: async (tokenHash: string): Promise<SessionLookup> => {
    const user = KNOWN.get(tokenHash);
    return user ? { state: 'active', user: { id: user, email: `${user}@example.com`, name: user, createdAt: '2030-01-01T00:00:00.000Z' }, expiresAt: '2100-01-01T00:00:00.000Z' } : { state: 'unknown' };
  },
};
const KNOWN = new Map<string, string>();
const tokenOf = (user: string, n: number) => {
  const token = `user-${user}-${n}`;
  KNOWN.set(createHash('sha256').update(token).digest('hex'), user);
  return token;
};

const withoutRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });

describe('per-client rate limits at the edge', () => {
  let monolith: TestUpstream;
  let auth: TestUpstream;
  let payments: TestUpstream;
  const edges: TestEdge[] = [];
  const start = async (options: { env?: Record<string, string>; limits?: { default: number; credentials: number } } = {}) => {
    const edge = await startTestEdge({
      routes: limitedRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }, options.limits) as RoutesFileShape,
      env: options.env ?? {},
      overrides: { peers },
    });
    edges.push(edge);
    return edge;
  };
  beforeAll(async () => {
    [monolith, auth, payments] = await Promise.all([startUpstream({ name: 'monolith' }), startUpstream({ name: 'auth' }), startUpstream({ name: 'payments' })]);
  });
  afterEach(async () => {
    await Promise.all(edges.splice(0).map((edge) => edge.stop()));
  });
  afterAll(async () => {
    await Promise.all([monolith, auth, payments].map((upstream) => upstream?.stop()));
  });

  const get = (edge: TestEdge, path: string, headers: Record<string, string> = {}) => fetch(`${edge.url}${path}`, { headers });
  const post = (edge: TestEdge, path: string, headers: Record<string, string> = {}) =>
    fetch(`${edge.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

  it('lets a client make its limit, says what is left, then answers 429 problem+json with Retry-After and forwards nothing', async () => {
    const edge = await start();
    const before = monolith.requests.length;
    for (const remaining of [2, 1, 0]) {
      const res = await get(edge, '/api/orders');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60');
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"default";r=${remaining};t=\\d+$`));
    }
    const refused = await get(edge, '/api/orders');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/);
    expect(refused.headers.get('x-request-id')).toBeTruthy();
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'urn:strangler:problem:edge-rate-limited', status: 429, code: 'EDGE_RATE_LIMITED', policy: 'default', requestId: refused.headers.get('x-request-id') });
    expect(monolith.requests.length - before).toBe(3);
  });

  it('gives the same answer whichever side would have served', async () => {
    const edge = await start();
    for (let i = 0; i < 3; i++) expect((await get(edge, '/api/payments')).status).toBe(200);
    const onMonolith = await get(edge, '/api/payments');
    edge.setFlags([
      { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
      { capability: 'payments', enabled: true, stage: 'live', rollout: 100 },
    ]);
    await waitFor(async () => {
      const body = (await (await fetch(`${edge.url}/_edge/capabilities`)).json()) as { capabilities: Array<{ capability: string; stage: string }> };
      return body.capabilities.find((c) => c.capability === 'payments')?.stage === 'live';
    });
    const servedBefore = payments.requests.length;
    const onService = await get(edge, '/api/payments');
    expect(onService.status).toBe(429);
    expect(onMonolith.status).toBe(429);
    expect(withoutRequestId((await onService.json()) as Record<string, unknown>)).toEqual(withoutRequestId((await onMonolith.json()) as Record<string, unknown>));
    expect(onService.headers.get('ratelimit-policy')).toBe(onMonolith.headers.get('ratelimit-policy'));
    expect(payments.requests.length).toBe(servedBefore);
  });

  it('counts route classes apart: logins have their own budget', async () => {
    const edge = await start();
    expect((await post(edge, '/api/auth/login')).status).toBe(200);
    expect((await post(edge, '/api/auth/register')).status).toBe(200);
    const third = await post(edge, '/api/auth/login');
    expect(third.status).toBe(429);
    expect(third.headers.get('ratelimit-policy')).toBe('"credentials";q=2;w=60');
    expect((await get(edge, '/api/orders')).status).toBe(200);
  });

  it.each([
    ['//api/auth/login'],
    ['/api/auth//login'],
    ['/api/auth/./login'],
    ['/api/x/../auth/login'],
    ['/api/auth/login/'],
    ['/API/Auth/LOGIN'],
    ['/api/%61uth/login'],
    ['/api/auth/login?x=1'],
  ])('counts %s as a login, not as something else', async (path) => {
    const edge = await start();
    const send = () => rawExchange(edge.url, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    const first = await send();
    // A spelling the edge refuses outright (400) reaches nobody; any other is a login.
    if (first.status === 400) return;
    expect(first.headers['ratelimit-policy']).toBe('"credentials";q=2;w=60');
    await send();
    const third = await send();
    expect(third.status).toBe(429);
    expect(third.headers['ratelimit-policy']).toBe('"credentials";q=2;w=60');
  });

  it('ignores X-Forwarded-For from clients it does not trust: a made-up address buys no fresh budget', async () => {
    const edge = await start();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await get(edge, '/api/orders', { 'x-forwarded-for': `203.0.113.${i}` })).status);
    expect(answers).toEqual([200, 200, 200, 429, 429]);
  });

  it('honours X-Forwarded-For from a trusted proxy (TRUST_PROXY): each client behind it has its own budget', async () => {
    const edge = await start({ env: { TRUST_PROXY: 'loopback' } });
    for (let i = 0; i < 3; i++) expect((await get(edge, '/api/orders', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    expect((await get(edge, '/api/orders', { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    expect((await get(edge, '/api/orders', { 'x-forwarded-for': '203.0.113.8' })).status).toBe(200);
    // A client prepending addresses of its own choosing is still counted by the address the proxy saw.
    expect((await get(edge, '/api/orders', { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' })).status).toBe(429);
  });

  it('counts made-up bearer tokens by address: inventing tokens buys no fresh budget', async () => {
    const edge = await start();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await get(edge, '/api/orders', { authorization: `Bearer junk-${i}` })).status);
    expect(answers).toEqual([200, 200, 200, 429, 429]);
  });

  it('counts a known user by user id, whatever token or address: other clients keep their budget', async () => {
    const edge = await start({ env: { TRUST_PROXY: 'loopback' } });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await get(edge, '/api/orders', { authorization: `Bearer ${tokenOf('ada', i)}`, 'x-forwarded-for': `203.0.113.${10 + i}` })).status);
    expect(answers).toEqual([200, 200, 200, 429]);
    expect((await get(edge, '/api/orders', { authorization: `Bearer ${tokenOf('grace', 0)}`, 'x-forwarded-for': '203.0.113.10' })).status).toBe(200);
    expect((await get(edge, '/api/orders', { 'x-forwarded-for': '203.0.113.10' })).status).toBe(200);
  });

  it('applies a reloaded routes file, and keeps the last good limits when an edit is bad', async () => {
    const edge = await start();
    const urls = { monolith: monolith.url, auth: auth.url, payments: payments.url };
    edge.writeRoutes(limitedRoutes(urls, { default: 1, credentials: 1 }) as RoutesFileShape);
    await waitFor(async () => (await get(edge, '/api/orders')).headers.get('ratelimit-policy') === '"default";q=1;w=60');
    expect((await get(edge, '/api/orders')).status).toBe(429);
    const bad = limitedRoutes(urls, { default: 100, credentials: 100 }) as unknown as { capabilities: { auth: { routes: Array<{ rateLimit?: string }> } } };
    bad.capabilities.auth.routes[0]!.rateLimit = 'no-such-class';
    edge.writeRoutes(bad as unknown as RoutesFileShape);
    await waitFor(() => edge.runtime.routes.status()?.lastError !== undefined);
    expect((await get(edge, '/api/orders')).status).toBe(429);
  });

  it('has no limits when the routes file has no rateLimits', async () => {
    const edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }), overrides: { peers } });
    edges.push(edge);
    for (let i = 0; i < 10; i++) {
      const res = await get(edge, '/api/orders');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toBeNull();
    }
  });
});

describe('the routes file\u2019s rateLimits', () => {
  const urls = { monolith: 'http://127.0.0.1:1', auth: 'http://127.0.0.1:2', payments: 'http://127.0.0.1:3' };
  it('refuses a route naming a class that does not exist, a section without default, and bad numbers', () => {
    const unknown = limitedRoutes(urls) as unknown as { capabilities: { auth: { routes: Array<{ rateLimit?: string }> } } };
    unknown.capabilities.auth.routes[0]!.rateLimit = 'nope';
    const noDefault = { ...limitedRoutes(urls), rateLimits: { classes: { credentials: { limit: 1, windowSeconds: 1 } } } };
    const zero = { ...limitedRoutes(urls), rateLimits: { classes: { default: { limit: 0, windowSeconds: 60 } } } };
    for (const [file, message] of [
      [unknown, /no class "nope"/],
      [noDefault, /must include "default"/],
      [zero, /limit/],
    ] as const) {
      const texts = inputTexts(file as unknown as RoutesFileShape);
      const parsed = buildRoutingTable(texts.routes, texts.manifests, {});
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.join('\n')).toMatch(message);
    }
  });
});

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', 'addr:203.0.113.7'],
    ['::ffff:203.0.113.7', 'addr:203.0.113.7'],
    ['2001:db8:1:2:aaaa::1', 'addr:2001:db8:1:2::/64'],
    ['2001:db8:1:2:bbbb:cccc:dddd:eeee', 'addr:2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', 'addr:2001:db8:1:3::/64'],
  ])('%s counts as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

const waitFor = (condition: () => boolean | Promise<boolean>) =>
  eventually(async () => {
    if (!(await condition())) throw new Error('not yet');
    return true;
  }, 10_000);

describe('GET /_edge/routes', () => {
  it('shows the rate limits in use', async () => {
    const edge = await startTestEdge({ routes: limitedRoutes({ monolith: 'http://127.0.0.1:1', auth: 'http://127.0.0.1:2', payments: 'http://127.0.0.1:3' }) as RoutesFileShape });
    try {
      const body = (await (await fetch(`${edge.url}/_edge/routes`)).json()) as { rateLimits: unknown; capabilities: Array<{ routes: Array<{ pattern: string; rateLimit?: string }> }> };
      expect(body.rateLimits).toEqual({ classes: { default: { name: 'default', limit: 3, windowSeconds: 60 }, credentials: { name: 'credentials', limit: 2, windowSeconds: 60 } } });
      expect(body.capabilities[0]?.routes.find((route) => route.pattern === '/api/auth/login')?.rateLimit).toBe('credentials');
    } finally {
      await edge.stop();
    }
  });
});

describe('rate limits and the user-lookup metrics', () => {
  it('count one lookup per request, not one per look (the limits look at the token too)', async () => {
    const upstream = await startUpstream({ name: 'monolith' });
    const edge = await startTestEdge({
      routes: limitedRoutes({ monolith: upstream.url, auth: upstream.url, payments: upstream.url }) as RoutesFileShape,
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'live', rollout: 100 },
      ],
      overrides: { peers },
    });
    const cached = async () => Number(/edge_user_lookups_total\{[^}]*result="cached"[^}]*\} (\d+)/.exec(await edge.metrics())?.[1] ?? 0);
    try {
      const token = tokenOf('lin', 0);
      // A route whose flag is evaluated for the caller: the proxy looks the token up, and so do the limits.
      await (await fetch(`${edge.url}/api/payments`, { headers: { authorization: `Bearer ${token}` } })).text();
      const before = await cached();
      await (await fetch(`${edge.url}/api/payments`, { headers: { authorization: `Bearer ${token}` } })).text();
      expect((await cached()) - before).toBe(1);
    } finally {
      await edge.stop();
      await upstream.stop();
    }
  });
});
