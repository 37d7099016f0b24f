import { Writable } from 'node:stream';
import { createDatabase, createLogger, listen } from '@strangler/kit';
import { createTestDatabase, describeReadinessWithoutDatabase, describeRuntimeContract, httpClient } from '@strangler/kit/testing';
import { migrateLatest, monolithMigrations } from '@strangler/migrations';
import { buildMonolithApp } from '../src/app';
import { startMonolith } from '../src/testing';

describeRuntimeContract('the monolith', {
  start: (dialect) => startMonolith(dialect),
  unknownPath: '/api/nope',
  service: 'monolith',
  unauthenticated: {
    path: '/api/payments/11111111-1111-4111-8111-111111111111',
    token: 'x',
    route: '/api/payments/:id',
    rawIdentifier: '11111111-1111',
  },
  // Empty: the request reaches the route, which answers for the missing fields.
  jsonRoute: { path: '/api/auth/login', emptyBodyStatus: 400 },
});

describeReadinessWithoutDatabase('the monolith', (dialect) => startMonolith(dialect));

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
