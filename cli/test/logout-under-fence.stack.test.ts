import { createLogger, listen, PeerSessionsClient, SessionValidityCache, type RunningServer } from '@strangler/kit';
import { buildMonolithApp } from '@strangler/monolith';
import { lowerDbFence, raiseDbFence } from '@strangler/data-engine';
import { createDataSides, shippedCapability, type DataSides } from './support/cli-harness';

jest.setTimeout(30_000);

/**
 * The drill's finding on 4790b11 (CI): during a flip of auth, a logout on the old writer was refused
 * by the database fence (503 WRITE_FENCED, retryable) and its retry was answered 401: the session
 * validity cache had marked the token revoked before the revoke was tried. The session stayed active
 * in the database and on the other side while this process refused it, and the client believed it
 * logged out. A refused logout must change nothing, so that its retry logs out for real.
 */
describe('a logout refused by the write fence (monolith with peers and a session validity cache)', () => {
  const logger = createLogger({ name: 'logout-fence', level: 'silent' });
  let sides: DataSides;
  let monolith: RunningServer;
  let cache: SessionValidityCache;

  beforeAll(async () => {
    sides = await createDataSides('sqlite');
    // The peer is the auth service, not running here: peer calls fail, as with the service stopped.
    const peers = new PeerSessionsClient({ peers: ['http://127.0.0.1:9'], internalToken: 'i'.repeat(32), timeoutMs: 300, logger });
    cache = new SessionValidityCache({ peers, ttlMs: 60_000, revocationBoundMs: 1_000, logger });
    monolith = await listen(buildMonolithApp({ db: sides.monolith, logger, sessionTtlMs: 3_600_000, internalToken: 'i'.repeat(32), peers, sessionCache: cache }), 0, '127.0.0.1');
  });

  afterAll(async () => {
    await monolith?.close();
    cache?.stop();
    await sides?.close();
  });

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${monolith.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('answers 503 WRITE_FENCED, keeps the session working, and the retry after the fence logs out (204, then 401)', async () => {
    const registered = await call('POST', '/api/auth/register', undefined, { email: 'fenced-logout@example.com', password: 'correct horse battery', name: 'F' });
    expect(registered.status).toBe(201);
    const { token } = (await registered.json()) as { token: string };

    await raiseDbFence(sides.monolith.knex, shippedCapability('auth'), 'monolith', 'test-flip', 30_000);
    const refused = await call('POST', '/api/auth/logout', token);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { code: string }).code).toBe('WRITE_FENCED');
    expect((await call('GET', '/api/auth/me', token)).status).toBe(200);

    await lowerDbFence(sides.monolith.knex, shippedCapability('auth'), 'test-flip');
    expect((await call('POST', '/api/auth/logout', token)).status).toBe(204);
    expect((await call('GET', '/api/auth/me', token)).status).toBe(401);
    const row = await sides.monolith.knex('sessions').whereNotNull('revoked_at').count<Array<{ n: number }>>({ n: '*' }).first();
    expect(Number(row?.n)).toBe(1);
  });
});
