import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningTestApp } from './test-app';
import { testDialects } from './test-databases';

/**
 * What every deployable's HTTP runtime owes its callers, whatever it serves (it is `createHttpApp`'s
 * promise): health, request ids, problem+json for unknown routes and refused bodies, Prometheus
 * metrics. A deployable's test states only how to start it and the routes to probe.
 */
export interface RuntimeContract {
  /** The deployable on port 0 over a fresh, migrated database of `dialect`. */
  start(dialect: 'sqlite' | 'mysql'): Promise<RunningTestApp>;
  /** A GET path it serves no route for. */
  unknownPath: string;
  /** Its `service` metrics label. */
  service: string;
  /**
   * A GET it answers 401 without a valid session, the route template metrics must name it by and, when
   * the path names a resource, a piece of that name no metric may carry.
   */
  unauthenticated: { path: string; token?: string; route: string; rawIdentifier?: string };
  /** A JSON POST route that answers `emptyBodyStatus` to a request with no body at all. */
  jsonRoute: { path: string; emptyBodyStatus: number };
}

export function describeRuntimeContract(name: string, contract: RuntimeContract): void {
  describe.each(testDialects())(`runtime behaviour of ${name} on %s`, (dialect) => {
    let running: RunningTestApp;
    const postRaw = (raw: string, headers: Record<string, string> = {}) => running.api.request('POST', contract.jsonRoute.path, undefined, { raw, headers });
    beforeAll(async () => {
      running = await contract.start(dialect);
    });
    afterAll(async () => {
      await running?.stop();
    });

    it('reports liveness and readiness', async () => {
      expect((await running.api.get('/health/live')).body).toEqual({ status: 'ok' });
      const ready = await running.api.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok' } });
    });

    it('echoes a sane x-request-id and generates one otherwise', async () => {
      const echoed = await running.api.get('/health/live', { headers: { 'x-request-id': 'abc-123' } });
      expect(echoed.headers.get('x-request-id')).toBe('abc-123');
      const generated = await running.api.get('/health/live');
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const hostile = await running.api.get('/health/live', { headers: { 'x-request-id': 'a b"<script>' } });
      expect(hostile.headers.get('x-request-id')).not.toContain('script');
    });

    it('answers an unknown route with a problem+json 404 carrying the request id', async () => {
      const res = await running.api.get(contract.unknownPath, { headers: { 'x-request-id': 'req-404' } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toEqual({
        type: 'urn:strangler:problem:route-not-found',
        title: 'Not found',
        status: 404,
        detail: `No route for GET ${contract.unknownPath}.`,
        code: 'ROUTE_NOT_FOUND',
        requestId: 'req-404',
      });
    });

    it('rejects malformed JSON with 400', async () => {
      const res = await postRaw('{"email": ', { 'content-type': 'application/json' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('MALFORMED_JSON');
    });

    it('rejects a JSON body over 100 KB with 413', async () => {
      const res = await running.api.post(contract.jsonRoute.path, { email: 'a@example.com', password: 'password1', name: 'x'.repeat(101 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('rejects a body that is not JSON with 415', async () => {
      const res = await postRaw('email=a@example.com&password=x', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const missingType = await postRaw('{}');
      expect(missingType.status).toBe(415);
    });

    it('accepts a chunked POST without a media type only while it carries no bytes', async () => {
      const send = (chunks: string[]) =>
        new Promise<number>((resolve, reject) => {
          const req = http.request(`${running.url}${contract.jsonRoute.path}`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          for (const chunk of chunks) req.write(chunk);
          req.end();
        });
      // Empty: the request reaches the route, which answers for itself.
      expect(await send([])).toBe(contract.jsonRoute.emptyBodyStatus);
      expect(await send(['{"email":"a@example.com","password":"x"}'])).toBe(415);
    });

    it('exposes Prometheus metrics labelled by route template and service, never by the raw path', async () => {
      const { path, token, route, rawIdentifier } = contract.unauthenticated;
      await running.api.get(path, token === undefined ? {} : { token });
      const res = await running.api.get('/metrics');
      expect(res.status).toBe(200);
      const escaped = route.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      expect(res.text).toMatch(new RegExp(`http_request_duration_seconds_bucket\\{[^}]*route="${escaped}",status="401"`));
      expect(res.text).toContain(`service="${contract.service}"`);
      if (rawIdentifier !== undefined) expect(res.text).not.toContain(rawIdentifier);
    });
  });
}

/** Readiness turns 503 (and liveness stays 200) once the deployable's database is gone. */
export function describeReadinessWithoutDatabase(name: string, start: (dialect: 'sqlite') => Promise<RunningTestApp>): void {
  describe(`readiness of ${name} when the database is gone`, () => {
    it('answers 503 problem+json', async () => {
      const running = await start('sqlite');
      try {
        await running.db.close();
        const res = await running.api.get('/health/ready');
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'NOT_READY', checks: { database: 'failing' } });
        expect((await running.api.get('/health/live')).status).toBe(200);
      } finally {
        await running.stop();
      }
    });
  });
}
