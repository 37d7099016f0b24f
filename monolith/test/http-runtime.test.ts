import http from 'node:http';
import { Writable } from 'node:stream';
import { createDatabase, createLogger, listen } from '@strangler/kit';
import { createTestDatabase, httpClient, testDialects } from '@strangler/kit/testing';
import { migrateLatest, monolithMigrations } from '@strangler/migrations';
import { buildMonolithApp } from '../src/app';
import { startMonolith, type RunningMonolith } from './support/start-monolith';

describe.each(testDialects())('runtime behaviour of the monolith on %s', (dialect) => {
  let monolith: RunningMonolith;
  beforeAll(async () => {
    monolith = await startMonolith(dialect);
  });
  afterAll(async () => {
    await monolith.stop();
  });

  it('reports liveness and readiness', async () => {
    expect((await monolith.api.get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await monolith.api.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('echoes a sane x-request-id and generates one otherwise', async () => {
    const echoed = await monolith.api.get('/health/live', { headers: { 'x-request-id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const generated = await monolith.api.get('/health/live');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await monolith.api.get('/health/live', { headers: { 'x-request-id': 'a b"<script>' } });
    expect(hostile.headers.get('x-request-id')).not.toContain('script');
  });

  it('answers an unknown route with a problem+json 404 carrying the request id', async () => {
    const res = await monolith.api.get('/api/nope', { headers: { 'x-request-id': 'req-404' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({
      type: 'urn:strangler:problem:route-not-found',
      title: 'Not found',
      status: 404,
      detail: 'No route for GET /api/nope.',
      code: 'ROUTE_NOT_FOUND',
      requestId: 'req-404',
    });
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await monolith.api.request('POST', '/api/auth/login', undefined, {
      raw: '{"email": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });

  it('rejects a JSON body over 100 KB with 413', async () => {
    const res = await monolith.api.post('/api/auth/register', { email: 'a@example.com', password: 'password1', name: 'x'.repeat(101 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects a body that is not JSON with 415', async () => {
    const res = await monolith.api.request('POST', '/api/auth/login', undefined, {
      raw: 'email=a@example.com&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const missingType = await monolith.api.request('POST', '/api/auth/login', undefined, { raw: '{}' });
    expect(missingType.status).toBe(415);
  });

  it('accepts a chunked POST without a media type only while it carries no bytes', async () => {
    const send = (chunks: string[]) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(`${monolith.url}/api/auth/login`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    // Empty: the request reaches the route, which answers for the missing fields.
    expect(await send([])).toBe(400);
    expect(await send(['{"email":"a@example.com","password":"x"}'])).toBe(415);
  });

  it('exposes Prometheus metrics with the route template, not the raw path', async () => {
    await monolith.api.get('/api/payments/11111111-1111-4111-8111-111111111111', { token: 'x' });
    const res = await monolith.api.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="\/api\/payments\/:id",status="401"/);
    expect(res.text).not.toContain('11111111-1111');
  });
});

describe('readiness when the database is gone', () => {
  it('answers 503 problem+json', async () => {
    const testDb = await createTestDatabase('sqlite');
    const db = createDatabase(testDb.url);
    await migrateLatest(db.knex, monolithMigrations);
    const app = buildMonolithApp({ db, logger: createLogger({ name: 't', level: 'silent' }), sessionTtlMs: 1000 });
    const server = await listen(app, 0, '127.0.0.1');
    try {
      await db.close();
      const res = await httpClient(server.url).get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'NOT_READY', checks: { database: 'failing' } });
      expect((await httpClient(server.url).get('/health/live')).status).toBe(200);
    } finally {
      await server.close(500);
      await testDb.drop();
    }
  });
});

describe('logging', () => {
  it('puts the request id on every line and never logs secrets', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const testDb = await createTestDatabase('sqlite');
    const db = createDatabase(testDb.url);
    await migrateLatest(db.knex, monolithMigrations);
    const logger = createLogger({ name: 'monolith', level: 'debug', destination: sink });
    const server = await listen(buildMonolithApp({ db, logger, sessionTtlMs: 60_000 }), 0, '127.0.0.1');
    try {
      const api = httpClient(server.url);
      const registered = await api.post(
        '/api/auth/register',
        { email: 'log@example.com', password: 'super-secret-pw', name: 'Log' },
        { headers: { 'x-request-id': 'log-req-1', cookie: 'sid=cookie-secret' } },
      );
      await api.get('/api/auth/me', { token: registered.body.token, headers: { 'x-request-id': 'log-req-2' } });
      logger.info({ password: 'super-secret-pw', token: registered.body.token, req: { headers: { authorization: 'Bearer abc' } } }, 'hostile line');
      const all = lines.join('\n');
      expect(all).not.toContain('super-secret-pw');
      expect(all).not.toContain(registered.body.token);
      expect(all).not.toContain('cookie-secret');
      const requestLines = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request finished');
      expect(requestLines.map((l) => l.requestId)).toEqual(['log-req-1', 'log-req-2']);
    } finally {
      await server.close(500);
      await db.close();
      await testDb.drop();
    }
  });
});
