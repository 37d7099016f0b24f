import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { closedPortUrl, eventually, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

interface RawResponse {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** A plain node:http request (fetch would hide hop-by-hop and duplicate headers). */
function request(url: string, options: http.RequestOptions & { body?: Buffer | string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (response: RawResponse) => JSON.parse(response.body.toString('utf8'));

describe('proxying through the edge', () => {
  let monolith: TestUpstream;
  let payments: TestUpstream;
  let auth: TestUpstream;
  let edge: TestEdge;

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    payments = await startUpstream({ name: 'payments' });
    auth = await startUpstream({ name: 'auth' });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: auth.url, payments: payments.url }) });
  });
  afterAll(async () => {
    await edge.stop();
    await Promise.all([monolith.stop(), payments.stop(), auth.stop()]);
  });

  it('sends unmatched and not-yet-migrated requests to the monolith and says so', async () => {
    const orders = await request(`${edge.url}/api/orders?limit=2`);
    expect(orders.status).toBe(200);
    expect(orders.headers['x-strangler-target']).toBe('monolith');
    expect(orders.headers['x-upstream']).toBe('monolith');
    expect(json(orders).url).toBe('/api/orders?limit=2');
    const payment = await request(`${edge.url}/api/payments/p1`);
    expect(payment.headers['x-upstream']).toBe('monolith');
  });

  it('generates a request id when absent, keeps a sane one, replaces an insane one, and passes traceparent on', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const generated = await request(`${edge.url}/api/orders`, { headers: { traceparent, tracestate: 'vendor=1' } });
    const id = generated.headers['x-request-id'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(json(generated).headers).toMatchObject({ 'x-request-id': id, traceparent, tracestate: 'vendor=1' });
    const kept = await request(`${edge.url}/api/orders`, { headers: { 'x-request-id': 'abc-123.def' } });
    expect(kept.headers['x-request-id']).toBe('abc-123.def');
    expect(json(kept).headers['x-request-id']).toBe('abc-123.def');
    const replaced = await request(`${edge.url}/api/orders`, { headers: { 'x-request-id': 'bad id\twith tab' } });
    expect(replaced.headers['x-request-id']).not.toBe('bad id\twith tab');
    expect(json(replaced).headers['x-request-id']).toBe(replaced.headers['x-request-id']);
  });

  it('drops hop-by-hop request headers, including those named by Connection', async () => {
    const response = await request(`${edge.url}/api/orders`, {
      headers: { connection: 'keep-alive, x-hop-secret', 'keep-alive': 'timeout=99', 'x-hop-secret': 's', te: 'trailers', 'proxy-authorization': 'Basic eA==', 'x-end-to-end': 'yes' },
    });
    const seen = json(response).headers;
    expect(seen['x-hop-secret']).toBeUndefined();
    expect(seen['keep-alive']).toBeUndefined();
    expect(seen.te).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen['x-end-to-end']).toBe('yes');
    expect(seen.host).toBe(new URL(monolith.url).host);
  });

  it('sets X-Forwarded-For/-Proto/-Host, replacing a client’s own claims (nobody is trusted by default)', async () => {
    const direct = json(await request(`${edge.url}/api/orders`, { headers: { host: 'shop.example.com' } })).headers;
    expect(direct).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'shop.example.com' });
    const claimed = json(
      await request(`${edge.url}/api/orders`, { headers: { host: 'shop.example.com', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example.com' } }),
    ).headers;
    expect(claimed).toMatchObject({ 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'shop.example.com' });
  });

  it('passes status, reason and every Set-Cookie through, and drops hop-by-hop response headers', async () => {
    monolith.handle((_req, res) => {
      res.setHeader('set-cookie', ['session=abc; HttpOnly', 'theme=dark; Path=/']);
      res.setHeader('connection', 'keep-alive, x-internal');
      res.setHeader('x-internal', 'leak');
      res.setHeader('keep-alive', 'timeout=1');
      res.setHeader('cache-control', 'no-store');
      res.writeHead(418, 'Short And Stout');
      res.end('teapot');
    });
    try {
      const response = await request(`${edge.url}/api/teapot`);
      expect(response.status).toBe(418);
      expect(response.statusMessage).toBe('Short And Stout');
      expect(response.headers['set-cookie']).toEqual(['session=abc; HttpOnly', 'theme=dark; Path=/']);
      expect(response.headers['x-internal']).toBeUndefined();
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['keep-alive']).not.toBe('timeout=1');
      expect(response.body.toString()).toBe('teapot');
    } finally {
      monolith.handle((await import('../src/testing')).echo);
    }
  });

  it('answers HEAD and 204 without inventing a body', async () => {
    monolith.handle((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    try {
      const head = await request(`${edge.url}/api/orders`, { method: 'HEAD' });
      expect(head.status).toBe(204);
      expect(head.body.length).toBe(0);
    } finally {
      monolith.handle((await import('../src/testing')).echo);
    }
  });

  it('forwards a chunked DELETE body intact (no forced content-length: 0)', async () => {
    const response = await new Promise<RawResponse>((resolve, reject) => {
      const req = http.request(`${edge.url}/api/things/1`, { method: 'DELETE', agent: false, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, statusMessage: '', headers: res.headers, rawHeaders: [], body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.write('{"reason":');
      req.end('"duplicate"}');
    });
    expect(response.status).toBe(200);
    expect(json(response)).toMatchObject({ method: 'DELETE', body: '{"reason":"duplicate"}' });
    expect(json(response).headers['transfer-encoding']).toBe('chunked');
  });
});

describe('streaming large bodies both ways', () => {
  const SIZE = 16 * 1024 * 1024;
  let upstream: TestUpstream;
  let edge: TestEdge;
  let firstChunkSeen: () => void = () => undefined;
  let releaseDownload: () => void = () => undefined;

  beforeAll(async () => {
    upstream = await startUpstream({
      streaming: (req, res) => {
        if (req.method === 'POST') {
          const hash = createHash('sha256');
          let size = 0;
          req.on('data', (chunk: Buffer) => {
            if (size === 0) firstChunkSeen();
            size += chunk.length;
            hash.update(chunk);
          });
          req.on('end', () => res.end(JSON.stringify({ size, sha256: hash.digest('hex') })));
          return;
        }
        const block = Buffer.alloc(1024 * 1024, 7);
        res.setHeader('content-length', String(SIZE));
        res.write(block);
        void new Promise<void>((resolve) => (releaseDownload = resolve)).then(() => {
          for (let i = 1; i < SIZE / block.length; i += 1) res.write(block);
          res.end();
        });
      },
    });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: upstream.url, auth: upstream.url, payments: upstream.url }) });
  });
  afterAll(async () => {
    await edge.stop();
    await upstream.stop();
  });

  it('streams an upload: the upstream gets the first bytes before the client has sent the rest', async () => {
    const payload = randomBytes(SIZE);
    const upstreamStarted = new Promise<void>((resolve) => (firstChunkSeen = resolve));
    const result = new Promise<RawResponse>((resolve, reject) => {
      const req = http.request(`${edge.url}/api/uploads`, { method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, statusMessage: '', headers: res.headers, rawHeaders: [], body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.write(payload.subarray(0, 64 * 1024));
      void upstreamStarted.then(() => req.end(payload.subarray(64 * 1024)));
    });
    const response = await result;
    expect(json(response)).toEqual({ size: SIZE, sha256: createHash('sha256').update(payload).digest('hex') });
  });

  it('streams a download: the client gets the first bytes before the upstream has produced the rest', async () => {
    const received = await new Promise<number>((resolve, reject) => {
      http
        .get(`${edge.url}/api/downloads/big`, { agent: false }, (res) => {
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size === 0) releaseDownload();
            size += chunk.length;
          });
          res.on('end', () => resolve(size));
        })
        .on('error', reject);
    });
    expect(received).toBe(SIZE);
  });
});

describe('when the monolith cannot answer', () => {
  let slow: TestUpstream;
  let edge: TestEdge;
  let deadEdge: TestEdge;

  beforeAll(async () => {
    slow = await startUpstream({ name: 'slow' });
    slow.handle(() => undefined);
    const routes = standardRoutes({ monolith: slow.url, auth: slow.url, payments: slow.url });
    edge = await startTestEdge({ routes: { ...routes, monolith: { url: slow.url, timeouts: { responseMs: 150 } } } });
    const dead = await closedPortUrl();
    deadEdge = await startTestEdge({ routes: standardRoutes({ monolith: dead, auth: dead, payments: dead }) });
  });
  afterAll(async () => {
    await Promise.all([edge.stop(), deadEdge.stop()]);
    await slow.stop();
  });

  it('answers 504 EDGE_UPSTREAM_TIMEOUT as problem+json after the response timeout', async () => {
    const started = Date.now();
    const response = await request(`${edge.url}/api/orders`);
    // The 150 ms timeout holds to well under a second (undici's own headersTimeout clock did not).
    expect(Date.now() - started).toBeLessThan(900);
    expect(response.status).toBe(504);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.headers['x-strangler-target']).toBe('monolith');
    expect(json(response)).toMatchObject({ code: 'EDGE_UPSTREAM_TIMEOUT', status: 504, retryable: true, requestId: response.headers['x-request-id'] });
  });

  it('answers a timed-out POST without Retry-After: it may have taken effect', async () => {
    const response = await request(`${edge.url}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(504);
    expect(response.headers['retry-after']).toBeUndefined();
    expect(json(response)).toMatchObject({ code: 'EDGE_UPSTREAM_TIMEOUT', retryable: false });
  });

  it('answers 502 EDGE_UPSTREAM_UNAVAILABLE with Retry-After when the connection is refused', async () => {
    const response = await request(`${deadEdge.url}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(502);
    expect(response.headers['retry-after']).toBe('1');
    expect(json(response)).toMatchObject({ code: 'EDGE_UPSTREAM_UNAVAILABLE', type: 'urn:strangler:problem:edge-upstream-unavailable', retryable: true });
    await eventually(async () => /edge_upstream_failures_total\{upstream="monolith",kind="connect"/.test(await deadEdge.metrics()));
  });
});

describe('the response timeout', () => {
  it('counts silence while waiting for the answer, not a slow upload: a body sent over longer than the timeout still gets its answer', async () => {
    const upstream = await startUpstream({ name: 'monolith' }); // answers once it has the whole body
    const edge = await startTestEdge({ routes: { ...standardRoutes({ monolith: upstream.url, auth: upstream.url, payments: upstream.url }), monolith: { url: upstream.url, timeouts: { responseMs: 300 } } } });
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(`${edge.url}/api/uploads`, { method: 'POST', agent: false, headers: { 'content-type': 'text/plain' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        let sent = 0;
        const next = () => {
          sent += 1;
          if (sent === 8) req.end(`part ${sent}`);
          else {
            req.write(`part ${sent},`);
            setTimeout(next, 100); // 8 parts over 700 ms, more than twice the 300 ms timeout
          }
        };
        next();
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).body).toBe('part 1,part 2,part 3,part 4,part 5,part 6,part 7,part 8');
    } finally {
      await edge.stop();
      await upstream.stop();
    }
  });
});

describe('an upstream URL with a base path', () => {
  it('prefixes the request path with it', async () => {
    const upstream = await startUpstream({ name: 'prefixed' });
    const edge = await startTestEdge({ routes: standardRoutes({ monolith: `${upstream.url}/legacy`, auth: upstream.url, payments: upstream.url }) });
    try {
      const response = await request(`${edge.url}/api/orders?x=1`);
      expect(json(response).url).toBe('/legacy/api/orders?x=1');
    } finally {
      await edge.stop();
      await upstream.stop();
    }
  });
});
