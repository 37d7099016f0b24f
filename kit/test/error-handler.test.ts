import { connect } from 'node:net';
import { Router } from 'express';
import knex, { type Knex } from 'knex';
import { knexConfigFor } from '../src/db/database-url';
import { createHttpApp } from '../src/http/create-http-app';
import { listen, type RunningServer } from '../src/lifecycle/http-server';
import { createLogger } from '../src/logging/logger';

/** One raw HTTP/1.1 exchange (the request bytes as given, nothing normalised by a client library). */
function raw(port: number, request: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // Written, not ended: the server closes the connection after its answer (Connection: close).
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(text.slice(9, 12)), body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}

/**
 * Malformed input is the client's problem, always a 4xx (issue #14 §1): a side that answered 500 for a
 * URI it could not decode let any client trip the edge's breaker. And a database that cannot be
 * reached is 503, the one answer that says the side is unhealthy.
 */
describe('kit error handler', () => {
  let server: RunningServer;
  let unreachable: Knex;
  let saturated: Knex;

  beforeAll(async () => {
    // Real errors from real drivers: nothing listens on port 1; a pool of one whose connection is held.
    const quick = (url: string) => knex({ ...knexConfigFor(url, { poolMax: 1 }), acquireConnectionTimeout: 300 });
    unreachable = quick('mysql://root@127.0.0.1:1/none');
    saturated = quick(':memory:');
    const router = Router();
    router.get('/things/:id', (req, res) => {
      res.json({ id: req.params.id });
    });
    router.post('/things', (req, res) => {
      res.json({ got: req.body as unknown });
    });
    router.get('/db-unreachable', async (_req, res) => {
      res.json(await unreachable.raw('select 1'));
    });
    router.get('/db-saturated', async (_req, res) => {
      await saturated.transaction(async (tx) => {
        await tx.raw('select 1');
        // The pool's only connection is this transaction's: a second query outside it waits for it.
        res.json(await saturated.raw('select 2'));
      });
    });
    router.get('/bug', () => {
      throw new TypeError('a defect');
    });
    const { app } = createHttpApp({ service: 'kit-test', logger: createLogger({ name: 'kit-test', level: 'silent' }), readiness: [], routes: [router] });
    server = await listen(app, 0, '127.0.0.1');
  });
  afterAll(async () => {
    await server.close(1_000);
    await unreachable.destroy();
    await saturated.destroy();
  });

  const get = (path: string) => raw(server.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

  it.each(['/things/%ZZ', '/things/%C0%AE', '/things/%E2%82', '/things/a%'])('answers 400 MALFORMED_URI for a parameter that cannot be decoded: %s', async (path) => {
    const answer = await get(path);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'MALFORMED_URI', status: 400 });
  });

  it('still decodes a well-formed parameter', async () => {
    expect(JSON.parse((await get('/things/caf%C3%A9')).body)).toEqual({ id: 'café' });
  });

  it('answers 400 for a body that is not JSON, 413 beyond the limit, 415 for another media type', async () => {
    const post = (headers: string, body: string) => raw(server.port, `POST /things HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    expect((await post('Content-Type: application/json\r\n', '{"a":')).status).toBe(400);
    expect((await post('Content-Type: application/json\r\n', `{"a":"${'x'.repeat(200_000)}"}`)).status).toBe(413);
    expect((await post('Content-Type: text/plain\r\n', 'hi')).status).toBe(415);
    expect((await post('Content-Type: application/json; charset=klingon\r\n', '{}')).status).toBe(415);
    expect((await post('Content-Type: ;;;\r\n', '{}')).status).toBe(415);
  });

  it('answers 400 JSON_TOO_DEEP for a body nested deeper than code may safely recurse, counting only structure', async () => {
    const post = (body: string) => raw(server.port, `POST /things HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    // What made a request fingerprint overflow its stack: a 500 on both sides for one request's body.
    const deep = await post(`${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect([deep.status, JSON.parse(deep.body).code]).toEqual([400, 'JSON_TOO_DEEP']);
    expect((await post(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`)).status).toBe(400);
    expect((await post(`${'{"a":'.repeat(32)}1${'}'.repeat(32)}`)).status).toBe(200);
    expect((await post(`{"a":"${'[{'.repeat(100)}\\"]"}`)).status).toBe(200);
  });

  it('answers 503 SERVICE_UNAVAILABLE when the database cannot be reached or no connection frees up', async () => {
    for (const path of ['/db-unreachable', '/db-saturated']) {
      const answer = await get(path);
      expect([path, answer.status]).toEqual([path, 503]);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    }
  });

  it('answers a defect with a bare 500', async () => {
    const answer = await get('/bug');
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(answer.body).not.toContain('a defect');
  });
});
