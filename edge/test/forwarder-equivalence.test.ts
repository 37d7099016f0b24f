import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalTarget, isRefused } from '../src/http/request-target';
import { Forwarder, type AttemptOutcome, type UpstreamTarget } from '../src/proxy/forwarder';
import { outgoingRequestHeaders } from '../src/proxy/outgoing-headers';
import { RequestBody } from '../src/proxy/request-body';
import { upstreamPath } from '../src/proxy/upstream-path';
import { UndiciForwarder } from '../src/proxy/undici-forwarder';
import { HttpProxyForwarder } from './support/http-proxy-forwarder';

/**
 * The edge forwards with node:http directly since docs/decisions/0010-edge-hot-path.md, and with undici
 * by default since 0013. This holds both to what the http-proxy 1.18.1 forwarder they replaced did (kept
 * in support/http-proxy-forwarder.ts): for the same client request and the same upstream answer, the
 * upstream receives the same request line, header lines and body, and the client the same status line,
 * header lines and body. node:http matches it line for line; undici writes its `host` and
 * `connection: keep-alive` lines first and its framing (`content-length`, `transfer-encoding`) last, in lower case (the same
 * values; names are case-insensitive and the position of different fields carries no meaning, RFC 9110
 * §5.3), and says `connection: close` after a HEAD (it does not reuse that connection); every other
 * line is the same, in the same order.
 *
 * The forwarders are given the canonical request-target (http/request-target.ts), so only canonical
 * targets are compared: for those http-proxy sent the target as it was. The odd spellings it rewrote
 * (`//` collapsed after routing, `http:/` turned into `http://`, the legacy parser's escaping) are
 * what issue #11 found, and are refused or made canonical before any forwarder sees them now.
 */

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

interface Answer {
  status: number;
  statusMessage: string;
  rawHeaders: string[];
  body: string;
}

type Reply = (res: ServerResponse) => void;

const LIMITS = { queueMs: 2_000, responseMs: 5_000, stallMs: 5_000, totalMs: 30_000 };

const listen = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

describe('the node:http and undici forwarders against the http-proxy forwarder they replaced', () => {
  const seen: Seen[] = [];
  let reply: Reply = (res) => res.end('ok');
  const outcomes: AttemptOutcome[] = [];
  const servers: http.Server[] = [];
  let upstreamUrl: string;
  const edges: Record<'old' | 'new' | 'undici', string> = { old: '', new: '', undici: '' };
  const undici = new UndiciForwarder({ maxSockets: 16, idleSocketMs: 30_000 });
  const agents: http.Agent[] = [];

  const edgeHandler = (forwarder: { attempt: Forwarder['attempt'] }, basePath: () => string) => {
    const targets = new Map<string, UpstreamTarget>();
    // A failure of the test edge itself breaks the client's connection (the test then fails on it).
    return (req: IncomingMessage, res: ServerResponse) => {
      handle(req, res).catch((error: Error) => res.destroy(error));
    };
    async function handle(req: IncomingMessage, res: ServerResponse) {
      res.setHeader('x-request-id', 'rid-1');
      const headers = outgoingRequestHeaders(req.headers, { forwardedFor: '127.0.0.1', peerTrusted: true, protocol: 'http', requestId: 'rid-1' });
      const body = req.headers['x-test-buffer'] ? await RequestBody.buffered(req, 1 << 20) : RequestBody.streaming(req);
      const url = `${upstreamUrl}${basePath()}`;
      let upstream = targets.get(url);
      if (!upstream) {
        const agent = new http.Agent({ keepAlive: true });
        agents.push(agent);
        upstream = { url: new URL(url), agent, connectTimeoutMs: 1_000, limits: LIMITS };
        targets.set(url, upstream);
      }
      const target = canonicalTarget(req.method ?? 'GET', req.url ?? '/');
      if (isRefused(target)) throw new Error(`not a target the forwarders are given: ${req.url}`);
      const outcome = await forwarder.attempt({
        req,
        res,
        upstream,
        target: target.path + target.query,
        headers,
        body,
        extraResponseHeaders: { 'x-strangler-target': 'monolith' },
        captureBytes: 1024,
      });
      outcomes.push(outcome);
      if (outcome.kind === 'failed') {
        res.statusCode = 599;
        res.end(outcome.failure.kind);
      }
    }
  };

  let base = '';
  beforeAll(async () => {
    const upstream = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
        reply(res);
      });
    });
    servers.push(upstream);
    upstreamUrl = await listen(upstream);
    for (const [name, forwarder] of [
      ['old', new HttpProxyForwarder()],
      ['new', new Forwarder()],
      ['undici', undici],
    ] as const) {
      const edge = http.createServer(edgeHandler(forwarder, () => base));
      servers.push(edge);
      edges[name] = await listen(edge);
    }
  });
  afterAll(async () => {
    undici.close();
    for (const agent of agents) agent.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  function send(edgeUrl: string, options: { method?: string; path: string; headers?: Record<string, string | string[]>; body?: string[] }): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const target = new URL(edgeUrl);
      const req = http.request(
        { host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path, headers: { host: 'shop.example.com', ...options.headers }, agent: false, setHost: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            // Date is the clock's; everything else must match line for line.
            const rawHeaders: string[] = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]!.toLowerCase() !== 'date') rawHeaders.push(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
            resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      req.on('error', reject);
      for (const chunk of options.body ?? []) req.write(chunk);
      req.end();
    });
  }

  const outcomeShape = (outcome: AttemptOutcome | undefined) => {
    if (outcome?.kind !== 'responded') return outcome;
    const { date: _date, ...headers } = outcome.response.headers; // the upstream's clock
    return { kind: outcome.kind, status: outcome.response.status, headers, completed: outcome.response.completed, captured: outcome.response.captured?.body.toString('utf8') };
  };

  /** The request as undici writes it, compared with http-proxy's: see the note at the top. */
  const CONNECTION_LINES = new Set(['host', 'connection', 'content-length', 'transfer-encoding']);
  const connectionLinesApart = (upstream: Seen[]) =>
    upstream.map((request) => {
      const rest: string[] = [];
      const connection: Record<string, string> = {};
      for (let i = 0; i < request.rawHeaders.length; i += 2) {
        const name = request.rawHeaders[i]!.toLowerCase();
        // undici closes the connection after a HEAD (a server might send a body anyway).
        if (name === 'connection' && request.method === 'HEAD') continue;
        if (CONNECTION_LINES.has(name)) connection[name] = request.rawHeaders[i + 1]!;
        else rest.push(request.rawHeaders[i]!, request.rawHeaders[i + 1]!);
      }
      return { ...request, rawHeaders: rest, connection };
    });

  async function both(request: Parameters<typeof send>[1]) {
    const results = [];
    for (const name of ['old', 'new', 'undici'] as const) {
      seen.length = 0;
      outcomes.length = 0;
      const answer = await send(edges[name], request);
      await new Promise((resolve) => setImmediate(resolve));
      results.push({ upstream: [...seen], answer, outcome: outcomeShape(outcomes[0]) });
    }
    expect(results[1]).toEqual(results[0]);
    expect({ ...results[2], upstream: connectionLinesApart(results[2]!.upstream) }).toEqual({ ...results[0], upstream: connectionLinesApart(results[0]!.upstream) });
    return results[1]!;
  }

  const hopByHop = { connection: 'keep-alive, x-hop', 'x-hop': '1', te: 'trailers', 'keep-alive': 'timeout=5', 'proxy-authorization': 'Basic x' };
  const endToEnd = { authorization: 'Bearer t0k3n', cookie: 'a=1; b=2', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', accept: 'application/json' };

  it('sends the same request head for plain and odd canonical request targets', async () => {
    const paths = [
      '/api/payments/p1?limit=2&x=%20y',
      '/double/slash?q=//x',
      '/~user/a%20b',
      '/(x)/*star/$dollar;e=f/a:b@c',
      '/trailing/?',
      '/multi?a=1?b=2',
      '/%C3%A9t%C3%A9/x',
    ];
    for (const path of paths) {
      const result = await both({ path, headers: { ...hopByHop, ...endToEnd } });
      expect(result.upstream).toHaveLength(1);
    }
    const options = await both({ method: 'OPTIONS', path: '*' });
    expect(options.upstream[0]?.url).toBe('*');
  });

  it('sends the same request head and body for streamed, chunked, buffered and bodiless requests', async () => {
    await both({ method: 'POST', path: '/api/payments', headers: { 'content-type': 'application/json', 'content-length': '12' }, body: ['{"amount":', '1}'] });
    await both({ method: 'POST', path: '/api/payments', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: ['{"a":', '1}'] });
    await both({ method: 'POST', path: '/api/payments', headers: { 'x-test-buffer': '1', 'transfer-encoding': 'chunked', 'idempotency-key': 'k-1' }, body: ['one ', 'two'] });
    await both({ method: 'DELETE', path: '/api/test/x', headers: { 'transfer-encoding': 'chunked' }, body: ['gone'] });
    await both({ method: 'DELETE', path: '/api/test/y' });
    await both({ method: 'HEAD', path: '/api/payments/p1' });
  });

  it('prefixes an upstream base path the same way', async () => {
    base = '/legacy';
    try {
      for (const path of ['/api/orders?x=1', '/api/orders', '/']) await both({ path });
    } finally {
      base = '';
    }
  });

  it('gives the client the same status line, header lines and body, whatever the upstream answers', async () => {
    const replies: Reply[] = [
      (res) => {
        res.writeHead(201, 'Made It', ['Set-Cookie', 'a=1', 'Content-Type', 'application/json', 'set-cookie', 'b=2', 'X-Request-Id', 'upstream-rid', 'Connection', 'keep-alive, X-Internal', 'X-Internal', 'secret', 'Keep-Alive', 'timeout=5']);
        res.end('{"made":true}');
      },
      (res) => {
        res.writeHead(204, ['X-Empty', '1']);
        res.end();
      },
      (res) => {
        res.writeHead(200, ['Content-Type', 'text/plain', 'Transfer-Encoding', 'chunked']);
        res.write('chunk one, ');
        res.end('chunk two');
      },
      (res) => {
        res.writeHead(503, 'Busy', ['Retry-After', '3', 'Content-Length', '4']);
        res.end('busy');
      },
      (res) => {
        res.writeHead(200, ['Vary', 'Accept', 'Vary', 'Origin', 'Cache-Control', 'no-store', 'Proxy-Authenticate', 'x', 'Upgrade', 'h2c']);
        res.end('x');
      },
    ];
    try {
      for (const next of replies) {
        reply = next;
        await both({ path: '/api/payments/p1', headers: endToEnd });
        await both({ method: 'HEAD', path: '/api/payments/p1' });
      }
    } finally {
      reply = (res) => res.end('ok');
    }
  });
});

describe.each([
  ['node:http', () => new Forwarder()],
  ['undici', () => new UndiciForwarder({ maxSockets: 4, idleSocketMs: 30_000 })],
])('streaming a large answer to a slow client (backpressure), %s', (_name, makeForwarder) => {
  it('delivers every byte, in order, and passes the backpressure on to the upstream', async () => {
    const chunk = Buffer.alloc(64 * 1024);
    const chunks = 128; // 8 MiB
    let upstreamWaited = 0;
    const upstream = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const more = () => {
        while (sent < chunks) {
          chunk.fill(sent % 251);
          sent += 1;
          if (!res.write(Buffer.from(chunk))) {
            upstreamWaited += 1; // the edge stopped reading: the slow client's backpressure reached us
            return void res.once('drain', more);
          }
        }
        res.end();
      };
      more();
    });
    const agent = new http.Agent({ keepAlive: true });
    const upstreamUrl = await listen(upstream);
    const forwarder = makeForwarder();
    const edge = http.createServer((req, res) => {
      void forwarder.attempt({
        req,
        res,
        upstream: { url: new URL(upstreamUrl), agent, connectTimeoutMs: 1_000, limits: LIMITS },
        target: '/',
        headers: {},
        body: RequestBody.streaming(req),
        extraResponseHeaders: {},
      });
    });
    const edgeUrl = await listen(edge);
    try {
      const received = await new Promise<Buffer[]>((resolve, reject) => {
        http
          .get(edgeUrl, { agent: false }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (part: Buffer) => {
              parts.push(part);
              // A slow reader: pause now and then, so the edge has to wait for 'drain'.
              if (parts.length % 8 === 0) {
                res.pause();
                setTimeout(() => res.resume(), 2);
              }
            });
            res.on('end', () => resolve(parts));
            res.on('error', reject);
          })
          .on('error', reject);
      });
      const body = Buffer.concat(received);
      expect(body.length).toBe(chunks * chunk.length);
      for (let i = 0; i < chunks; i += 1) expect([i, body[i * chunk.length], body[(i + 1) * chunk.length - 1]]).toEqual([i, i % 251, i % 251]);
      expect(upstreamWaited).toBeGreaterThan(0);
    } finally {
      forwarder.close();
      agent.destroy();
      await Promise.all([upstream, edge].map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });
});

describe('upstreamPath', () => {
  it('sends the canonical target as it is, after an upstream base path', () => {
    expect(upstreamPath('', '/api/payments/p1?x=1&y=%2F')).toBe('/api/payments/p1?x=1&y=%2F');
    expect(upstreamPath('/legacy', '/api/orders?x=1')).toBe('/legacy/api/orders?x=1');
    expect(upstreamPath('/legacy/', '/api/orders')).toBe('/legacy/api/orders');
    expect(upstreamPath('/legacy', '/')).toBe('/legacy/');
    expect(upstreamPath('/legacy', '*')).toBe('*');
    // Nothing is collapsed or rewritten any more: the path is the one the edge routed by.
    expect(upstreamPath('', '/a/http:/b?q=//x')).toBe('/a/http:/b?q=//x');
  });
});
