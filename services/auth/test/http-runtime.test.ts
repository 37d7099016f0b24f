import { createDatabase, createLogger, listen } from '@strangler/kit';
import { createTestDatabase, httpClient, testDialects } from '@strangler/kit/testing';
import { authMigrations, migrateLatest } from '@strangler/migrations';
import { buildAuthServiceApp } from '../src/app';
import { startAuthService, type RunningAuthService } from './support/start-auth-service';

describe.each(testDialects())('runtime behaviour of the auth service on %s', (dialect) => {
  let service: RunningAuthService;
  beforeAll(async () => {
    service = await startAuthService(dialect);
  });
  afterAll(async () => {
    await service.stop();
  });

  it('reports liveness and readiness', async () => {
    expect((await service.api.get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await service.api.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('echoes a sane x-request-id and generates one otherwise', async () => {
    expect((await service.api.get('/health/live', { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id')).toBe('abc-123');
    expect((await service.api.get('/health/live')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with a problem+json 404 carrying the request id', async () => {
    const res = await service.api.get('/api/payments', { headers: { 'x-request-id': 'req-404' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({
      type: 'urn:strangler:problem:route-not-found',
      title: 'Not found',
      status: 404,
      detail: 'No route for GET /api/payments.',
      code: 'ROUTE_NOT_FOUND',
      requestId: 'req-404',
    });
  });

  it('exposes Prometheus metrics labelled by route template and service', async () => {
    await service.api.get('/api/auth/me');
    const res = await service.api.get('/metrics');
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/api\/auth\/me",status="401"/);
    expect(res.text).toContain('service="auth-service"');
  });
});

describe('auth service readiness when the database is gone', () => {
  it('answers 503 problem+json', async () => {
    const testDb = await createTestDatabase('sqlite');
    const db = createDatabase(testDb.url);
    await migrateLatest(db.knex, authMigrations);
    const app = buildAuthServiceApp({ db, logger: createLogger({ name: 't', level: 'silent' }), sessionTtlMs: 1000 });
    const server = await listen(app, 0, '127.0.0.1');
    try {
      await db.close();
      const res = await httpClient(server.url).get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'NOT_READY', checks: { database: 'failing' } });
    } finally {
      await server.close(500);
      await testDb.drop();
    }
  });
});
