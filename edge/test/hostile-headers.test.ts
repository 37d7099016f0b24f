import { hash } from 'node:crypto';
import { rawExchange, requestHead, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

/**
 * Issue #14 §3–5, each with a raw-socket client (node:net) reproducing the repro: the edge and
 * the upstream must decide on the same request (no header the edge relied on dropped on the way, no
 * header of the harness's own accepted from a client), forwarded headers are believed only from the
 * proxies named in TRUST_PROXY, and a client cannot choose its side with made-up headers or tokens.
 */
const INTERNAL_TOKEN = 'hostile-headers-internal-token-0123456789';
const KNOWN_TOKEN = 'a-real-session-token';
const tokenHash = (token: string) => hash('sha256', token, 'hex');

type Side = 'monolith' | 'service';

describe('the edge under hostile headers', () => {
  let monolith: TestUpstream;
  let payments: TestUpstream;
  let auth: TestUpstream;
  let peer: TestUpstream;
  const edges: TestEdge[] = [];

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    payments = await startUpstream({ name: 'payments' });
    auth = await startUpstream({ name: 'auth' });
    // A side's internal session endpoint: one token resolves to a user, every other to nobody.
    peer = await startUpstream({ name: 'peer' });
    peer.handle((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === `/internal/sessions/${tokenHash(KNOWN_TOKEN)}`) {
        res.end(JSON.stringify({ user: { id: 'user-1', email: 'u@example.com', name: 'U', createdAt: new Date(0).toISOString() }, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }));
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ code: 'SESSION_NOT_FOUND' }));
    });
  });
  afterAll(async () => {
    for (const edge of edges) await edge.stop();
    await Promise.all([monolith.stop(), payments.stop(), auth.stop(), peer.stop()]);
  });

  const startEdge = async (env: Record<string, string> = {}, paymentsRollout = 100) => {
    const edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }),
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'live', rollout: paymentsRollout },
      ],
      env: { AUTH_PEERS: peer.url, INTERNAL_API_TOKEN: INTERNAL_TOKEN, READ_YOUR_WRITES_MS: '0', ...env },
    });
    edges.push(edge);
    return edge;
  };

  const clear = () => {
    for (const upstream of [monolith, payments, auth]) upstream.requests.length = 0;
  };
  const forwarded = () => [...monolith.requests, ...payments.requests, ...auth.requests];

  describe('§5: the edge decides on exactly the headers it forwards', () => {
    let edge: TestEdge;
    beforeAll(async () => {
      edge = await startEdge();
    });

    it.each([
      'authorization',
      'keep-alive, Idempotency-Key',
      'authorization, idempotency-key',
      'Content-Type',
      'content-length',
      'host',
      'X-Forwarded-For',
      'close, cookie',
      'x-request-id',
    ])('refuses Connection: %s (a header the edge relies on, nominated as hop-by-hop): 400, nothing forwarded', async (connection) => {
      clear();
      const body = '{"amount":"1.00","currency":"USD"}';
      const answer = await rawExchange(
        edge.url,
        requestHead('POST', '/api/payments', {
          Connection: connection,
          Authorization: 'Bearer someone',
          'Idempotency-Key': 'k-1',
          'Content-Type': 'application/json',
          'Content-Length': body.length,
        }) + body,
      );
      expect([answer.status, JSON.parse(answer.body).code]).toEqual([400, 'EDGE_CONNECTION_HEADER_REFUSED']);
      expect(forwarded()).toEqual([]);
    });

    it('still drops a custom header a client names as hop-by-hop (it relies on nothing there)', async () => {
      clear();
      const answer = await rawExchange(edge.url, requestHead('GET', '/api/payments/p1', { Connection: 'close, X-Trace-Hop', 'X-Trace-Hop': '1', 'X-Kept': 'yes' }));
      expect(answer.status).toBe(200);
      expect(payments.requests[0]?.headers).toMatchObject({ 'x-kept': 'yes' });
      expect(payments.requests[0]?.headers['x-trace-hop']).toBeUndefined();
    });

    const manyHeaders = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`X-H${i}`, 'v']));

    it('refuses a request with more header lines than it accepts (431), so the upstream never drops one the edge routed by', async () => {
      clear();
      // ~1,000 lines: a Node upstream keeps 1,000 and silently drops the rest, Authorization among them
      // when it comes last.
      for (const count of [501, 1_000, 1_500]) {
        const answer = await rawExchange(edge.url, requestHead('GET', '/api/payments/p1', { ...manyHeaders(count), Authorization: 'Bearer late' }));
        expect([count, answer.status, JSON.parse(answer.body).code]).toEqual([count, 431, 'EDGE_TOO_MANY_HEADERS']);
      }
      expect(forwarded()).toEqual([]);
    });

    it('forwards every header of a request within the limit', async () => {
      clear();
      const answer = await rawExchange(edge.url, requestHead('GET', '/api/payments/p1', { ...manyHeaders(495), Authorization: 'Bearer last' }));
      expect(answer.status).toBe(200);
      const seen = payments.requests[0]!;
      expect(Object.keys(seen.headers).filter((name) => name.startsWith('x-h'))).toHaveLength(495);
      expect(seen.headers.authorization).toBe('Bearer last');
    });

    it('strips the harness’s own headers from client requests', async () => {
      clear();
      await rawExchange(
        edge.url,
        requestHead('GET', '/api/payments/p1', { 'X-Strangler-Target': 'service', 'X-Strangler-Force': 'monolith', 'X-Internal-Token': INTERNAL_TOKEN, 'X-Shadow-Request': 'candidate' }),
      );
      const seen = payments.requests[0]!.headers;
      for (const name of ['x-strangler-target', 'x-strangler-force', 'x-internal-token', 'x-shadow-request']) expect([name, seen[name]]).toEqual([name, undefined]);
    });

    it('refuses framing node cannot read one way only: Content-Length with Transfer-Encoding, two lengths', async () => {
      clear();
      const both = await rawExchange(edge.url, 'POST /api/payments HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n');
      const two = await rawExchange(edge.url, 'POST /api/payments HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}');
      const folded = await rawExchange(edge.url, 'GET /api/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\n b\r\nConnection: close\r\n\r\n');
      expect([both.status, two.status, folded.status]).toEqual([400, 400, 400]);
      expect(forwarded()).toEqual([]);
    });

    it('refuses two Host headers, Transfer-Encoding on HTTP/1.0, and transfer codings it cannot carry (RFC 9112)', async () => {
      clear();
      const hosts = await rawExchange(edge.url, 'GET /api/payments HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n');
      const old = await rawExchange(edge.url, 'POST /api/payments HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
      const gzipped = await rawExchange(edge.url, 'POST /api/payments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
      expect([hosts.status, old.status, gzipped.status]).toEqual([400, 400, 501]);
      expect([hosts, old, gzipped].map((answer) => (JSON.parse(answer.body) as { code: string }).code)).toEqual(['EDGE_BAD_FRAMING', 'EDGE_BAD_FRAMING', 'EDGE_TRANSFER_CODING_NOT_IMPLEMENTED']);
      expect(forwarded()).toEqual([]);
      // Plain chunked bodies are carried as before.
      const chunked = await rawExchange(edge.url, 'POST /api/payments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n');
      expect(chunked.status).toBe(200);
    });

    it('keeps the first of two Authorization headers, as the upstream does, and forwards only that one', async () => {
      clear();
      await rawExchange(edge.url, requestHead('GET', '/api/payments/p1', { Authorization: 'Bearer first' }).replace('\r\n\r\n', '\r\nAuthorization: Bearer second\r\n\r\n'));
      expect(payments.requests[0]!.rawHeaders.filter((_, i, all) => i % 2 === 1 && all[i - 1]!.toLowerCase() === 'authorization')).toEqual(['Bearer first']);
    });

    it('answers pipelined requests in order, each read its own canonical way', async () => {
      clear();
      const answer = await rawExchange(
        edge.url,
        'GET /api/payments/p1 HTTP/1.1\r\nHost: x\r\n\r\nGET //api//payments/p2 HTTP/1.1\r\nHost: x\r\n\r\nGET /api/payments/p3#x HTTP/1.1\r\nHost: x\r\n\r\nGET /api/payments/p4 HTTP/1.1\r\nHost: x\r\n\r\n',
      );
      expect(answer.raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 400']);
      // The refused one closed the connection: p4, pipelined behind it, is never processed (RFC 9112
      // §9.6); forwarding it would have done a request whose answer the client can never get.
      expect(payments.requests.map((r) => r.url)).toEqual(['/api/payments/p1', '/api/payments/p2']);
    });

    it('processes nothing pipelined behind a request that closes the connection itself', async () => {
      clear();
      const answer = await rawExchange(
        edge.url,
        'GET /api/payments/p1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nPOST /api/payments HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}',
      );
      // Node's parser refuses bytes after a `Connection: close` request itself (400); either way the
      // POST behind it is never handed over.
      expect(answer.raw.match(/HTTP\/1\.1 \d{3}/g)?.filter((line) => line !== 'HTTP/1.1 400')).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(payments.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/payments/p1']);
    });
  });

  describe('§3: forwarded headers are believed only from the balancers named in TRUST_PROXY', () => {
    it('by default trusts nobody: a client’s X-Forwarded-*/Forwarded are replaced, and it cannot pick its side with them', async () => {
      const edge = await startEdge({}, 50);
      clear();
      const sides = new Set<string>();
      for (let i = 0; i < 40; i += 1) {
        const answer = await rawExchange(
          edge.url,
          requestHead('GET', '/api/payments', { 'X-Forwarded-For': `10.1.${i}.7`, 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'bank.example', Forwarded: `for=10.1.${i}.7` }),
        );
        sides.add(answer.headers['x-strangler-target']!);
      }
      expect(sides.size).toBe(1);
      for (const seen of forwarded()) {
        expect(seen.headers).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'edge.test' });
        expect(seen.headers.forwarded).toBeUndefined();
      }
    });

    it('from a named balancer: forwards only the part of the chain it vouches for, and believes its Proto and Host', async () => {
      const edge = await startEdge({ TRUST_PROXY: 'loopback' }, 50);
      clear();
      await rawExchange(
        edge.url,
        requestHead('GET', '/api/payments', { 'X-Forwarded-For': '1.2.3.4, 10.0.0.9', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'shop.example.com', Forwarded: 'for=1.2.3.4' }),
      );
      // 10.0.0.9 is the client (the first address not named in TRUST_PROXY); what it wrote before is gone.
      expect(forwarded()[0]!.headers).toMatchObject({ 'x-forwarded-for': '10.0.0.9, 127.0.0.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example.com' });
      expect(forwarded()[0]!.headers.forwarded).toBeUndefined();
      // Behind the balancer, each client keeps one side: the address the balancer saw decides.
      const sideOf = async (client: string, spoofed: string) =>
        (await rawExchange(edge.url, requestHead('GET', '/api/payments', { 'X-Forwarded-For': `${spoofed}, ${client}` }))).headers['x-strangler-target'];
      for (const client of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
        const seen = new Set<string | undefined>();
        for (let i = 0; i < 15; i += 1) seen.add(await sideOf(client, `198.51.100.${i}`));
        expect([client, seen.size]).toEqual([client, 1]);
      }
    });
  });

  describe('§4: only a token that resolved to a user buckets by that user', () => {
    let edge: TestEdge;
    beforeAll(async () => {
      edge = await startEdge({ TRUST_PROXY: 'loopback' }, 50);
    });
    const sideOf = async (token: string, client: string): Promise<Side> =>
      (await rawExchange(edge.url, requestHead('GET', '/api/payments', { Authorization: `Bearer ${token}`, 'X-Forwarded-For': client }))).headers['x-strangler-target'] as Side;

    it('made-up tokens cannot choose the side: they bucket by the client’s address', async () => {
      const byAddress = new Map<string, Set<Side>>();
      const overall = new Set<Side>();
      for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4']) {
        const sides = new Set<Side>();
        for (let i = 0; i < 25; i += 1) sides.add(await sideOf(`junk${i}`, client));
        byAddress.set(client, sides);
        for (const side of sides) overall.add(side);
      }
      for (const [client, sides] of byAddress) expect([client, sides.size]).toEqual([client, 1]);
      // And the same as an anonymous call from that address.
      for (const client of byAddress.keys()) {
        const anonymous = (await rawExchange(edge.url, requestHead('GET', '/api/payments', { 'X-Forwarded-For': client }))).headers['x-strangler-target'];
        expect([...byAddress.get(client)!]).toEqual([anonymous]);
      }
    });

    it('a token that resolves to a user buckets by the user, from any address', async () => {
      const sides = new Set<Side>();
      for (let i = 0; i < 20; i += 1) sides.add(await sideOf(KNOWN_TOKEN, `198.51.100.${i}`));
      expect(sides.size).toBe(1);
    });
  });
});
