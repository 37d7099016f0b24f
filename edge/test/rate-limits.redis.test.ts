import { randomUUID } from 'node:crypto';
import { redisAvailable, TEST_REDIS_URL } from '@strangler/kit/testing';
import { limitedRoutes } from './support/limited-routes';
import { startPausableProxy } from './support/pausable-tcp-proxy';
import { startTestEdge, closedPortUrl, startUpstream, type RoutesFileShape, type TestEdge, type TestUpstream } from '../src/testing';

// Under CI=true a missing Redis fails (kit's global setup); elsewhere these are skipped with a note.
const describeWithRedis = redisAvailable() ? describe : describe.skip;

describeWithRedis('rate limits counted in Redis (RATE_LIMIT_REDIS_URL)', () => {
  let upstreams: TestUpstream[];
  const edges: TestEdge[] = [];
  const start = async (redisUrl: string, prefix: string, extra: Record<string, string> = {}) => {
    const [monolith, auth, payments] = upstreams as [TestUpstream, TestUpstream, TestUpstream];
    const edge = await startTestEdge({
      routes: limitedRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }) as RoutesFileShape,
      env: { RATE_LIMIT_REDIS_URL: redisUrl, RATE_LIMIT_REDIS_PREFIX: prefix, ...extra },
    });
    edges.push(edge);
    return edge;
  };
  const status = async (edge: TestEdge) => (await fetch(`${edge.url}/api/orders`)).status;
  beforeAll(async () => {
    upstreams = await Promise.all(['monolith', 'auth', 'payments'].map((name) => startUpstream({ name })));
  });
  afterEach(async () => {
    await Promise.all(edges.splice(0).map((edge) => edge.stop()));
  });
  afterAll(async () => {
    await Promise.all(upstreams.map((upstream) => upstream.stop()));
  });

  it('is one count for every edge sharing the Redis', async () => {
    const prefix = `test-${randomUUID()}`;
    const [a, b] = [await start(TEST_REDIS_URL, prefix), await start(TEST_REDIS_URL, prefix)] as [TestEdge, TestEdge];
    // The first request may be counted in memory while the client connects: wait until Redis counts.
    await waitForRedis(a);
    await waitForRedis(b);
    expect([await status(a), await status(b), await status(a), await status(b)]).toEqual([200, 200, 200, 429]);
  });

  it('keeps limiting, in each edge\u2019s memory, while Redis is unreachable: no 500s, no waiting', async () => {
    const edge = await start((await closedPortUrl()).replace('http', 'redis'), `test-${randomUUID()}`);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await status(edge));
    expect(answers).toEqual([200, 200, 200, 429, 429]);
  });

  it('keeps limiting when Redis stops answering mid-way (frozen), each request waiting at most the command timeout', async () => {
    const target = new URL(TEST_REDIS_URL);
    const proxy = await startPausableProxy({ host: target.hostname, port: Number(target.port || 6379) });
    try {
      const edge = await start(proxy.url, `test-${randomUUID()}`, { RATE_LIMIT_REDIS_TIMEOUT_MS: '200' });
      await waitForRedis(edge);
      expect(await status(edge)).toBe(200); // counted in Redis (1 of 3)
      proxy.pause();
      // Frozen: each request times out on Redis and is counted in memory from zero (3 more allowed).
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await status(edge));
      expect(answers).toEqual([200, 200, 200, 429]);
    } finally {
      proxy.resume();
      await proxy.close();
    }
  });
});

/** Until the edge's Redis client is ready (its connection is not awaited at start). */
async function waitForRedis(edge: TestEdge): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!/^edge_rate_limit_redis_up(\{[^}]*\})? 1$/m.test(await edge.metrics())) {
    if (Date.now() > deadline) throw new Error('the edge never connected to Redis');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
