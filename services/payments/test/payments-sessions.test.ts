import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { testDialects, type TestResponse } from '@strangler/kit/testing';
import { startSessionIssuer, type RunningSessionIssuer } from '@strangler/monolith/testing';
import { startPaymentsService, type RunningPaymentsService } from '../src/testing';

/** Nothing listens on port 1 of loopback: connections are refused at once. */
const REFUSING_PEER = 'http://127.0.0.1:1';

function expectProblem(res: TestResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

/**
 * The service has no sessions: a bearer token is good here exactly when a peer (the auth service or
 * the monolith) says it is. A peer that cannot answer makes it 503, never a 401 that would log the
 * user out.
 */
describe.each(testDialects())('payments service sessions on %s', (dialect) => {
  let monolith: RunningSessionIssuer;
  const started: RunningPaymentsService[] = [];
  const service = async (options: Parameters<typeof startPaymentsService>[1]) => {
    const running = await startPaymentsService(dialect, options);
    started.push(running);
    return running;
  };
  beforeAll(async () => {
    monolith = await startSessionIssuer(dialect);
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await monolith?.stop();
  });

  const createWith = (target: RunningPaymentsService, token: string | undefined) =>
    target.api.post('/api/payments', { amount: '1.00', currency: 'USD' }, { ...(token ? { token } : {}), headers: { 'idempotency-key': randomUUID() } });

  it('accepts a token the monolith issued, as that user', async () => {
    const payments = await service({ peers: [monolith.url] });
    const alice = await monolith.newUser();
    const bob = await monolith.newUser();
    const created = await createWith(payments, alice.token);
    expect(created.status).toBe(201);
    const row = await payments.db.knex('payments').where({ id: created.body.payment.id }).first();
    expect(row.user_id).toBe(alice.userId);
    expectProblem(await payments.api.get(`/api/payments/${created.body.payment.id}`, { token: bob.token }), 404, 'PAYMENT_NOT_FOUND');
  });

  it('answers 401 with a Bearer challenge for a missing, unknown or ended token', async () => {
    const payments = await service({ peers: [monolith.url] });
    const { token } = await monolith.newUser();
    expect((await monolith.api.post('/api/auth/logout', undefined, { token })).status).toBe(204);
    for (const candidate of [undefined, 'not-a-token-anyone-issued', token]) {
      const res = await createWith(payments, candidate);
      expectProblem(res, 401, 'AUTH_UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(Number((await payments.db.knex('payments').count({ n: '*' }))[0]?.n)).toBe(0);
  });

  it('asks the peers in order: an unreachable first peer does not matter when the next one knows', async () => {
    const payments = await service({ peers: [REFUSING_PEER, monolith.url] });
    const { token } = await monolith.newUser();
    expect((await createWith(payments, token)).status).toBe(201);
  });

  it('answers 503 AUTH_SESSION_STORE_UNAVAILABLE when no peer can be reached', async () => {
    const payments = await service({ peers: [REFUSING_PEER] });
    const res = await createWith(payments, 'some-token');
    expectProblem(res, 503, 'AUTH_SESSION_STORE_UNAVAILABLE');
    expect(res.body.retryable).toBe(true);
  });

  it('answers 503 when the peer that issued the token goes down', async () => {
    const issuer = await startSessionIssuer(dialect);
    try {
      const payments = await service({ peers: [issuer.url] });
      const { token } = await issuer.newUser();
      expect((await createWith(payments, token)).status).toBe(201);
      await issuer.stop();
      expectProblem(await createWith(payments, token), 503, 'AUTH_SESSION_STORE_UNAVAILABLE');
      expectProblem(await payments.api.get('/api/payments', { token }), 503, 'AUTH_SESSION_STORE_UNAVAILABLE');
    } finally {
      await issuer.stop();
    }
  });

  it('answers 503 when a peer does not answer within the timeout', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const payments = await service({ peers: [`http://127.0.0.1:${(silent.address() as AddressInfo).port}`], peerTimeoutMs: 200 });
      const started = Date.now();
      expectProblem(await createWith(payments, 'some-token'), 503, 'AUTH_SESSION_STORE_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('answers 503, not 401, when the internal token is wrong (a misconfiguration must not log users out)', async () => {
    const payments = await service({ peers: [monolith.url], internalToken: 'a-different-internal-token-0123456789' });
    const { token } = await monolith.newUser();
    expectProblem(await createWith(payments, token), 503, 'AUTH_SESSION_STORE_UNAVAILABLE');
  });
});
