import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLogger, listen, PeerSessionsClient, type RunningServer } from '@strangler/kit';
import { backlogWithEngine, verifyWithEngine } from '../src/gates/engine-checks';
import type { RunningSyncService } from '@strangler/data-engine';
import { buildMonolithApp } from '@strangler/monolith';
import { buildPaymentsServiceApp } from '@strangler/payments-service';
import { startTestEdge, standardRoutes, closedPortUrl, type TestEdge } from '@strangler/edge/testing';
import { createDataSides, startSyncWorker, strangler, waitFor, type DataSides } from './support/cli-harness';

jest.setTimeout(120_000);

const INTERNAL_TOKEN = 'cutover-control-internal-token-0123456789abcdef';

/**
 * Issue #12 A and B and their mirror images, and issue #13.1 (two operators), on a real stack: the
 * monolith and the payments service over their own SQLite databases, change capture and a real sync
 * worker between them, the edge on its flags file, and `strangler flip` / `rollback` in-process. The
 * sync is paused (what SIGUSR1 does to a worker) to model the lag the gates allow; the write fence
 * must refuse the switch until the old writer's changes are applied, and a retried key must come back
 * as the same payment, whichever side answers it.
 */
describe('switching payments’ write authority behind the fence', () => {
  let sides: DataSides;
  let sync: RunningSyncService;
  let monolith: RunningServer;
  let service: RunningServer;
  let edge: TestEdge;
  let env: Record<string, string>;
  let flagsFile: string;

  beforeAll(async () => {
    sides = await createDataSides('sqlite');
    sync = await startSyncWorker(sides, 'payments');
    const logger = createLogger({ name: 'stack', level: 'silent' });
    monolith = await listen(buildMonolithApp({ db: sides.monolith, logger, sessionTtlMs: 3_600_000, internalToken: INTERNAL_TOKEN, authPeers: [] }), 0, '127.0.0.1');
    const peers = new PeerSessionsClient({ peers: [monolith.url], internalToken: INTERNAL_TOKEN, timeoutMs: 2_000, logger });
    service = await listen(buildPaymentsServiceApp({ db: sides.payments, logger, peers }), 0, '127.0.0.1');
    const routes = standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url });
    routes.capabilities.payments!.writtenThrough = [{ methods: 'POST', path: '/api/orders/:id/checkout' }];
    edge = await startTestEdge({ routes, env: { AUTH_PEERS: monolith.url, INTERNAL_API_TOKEN: INTERNAL_TOKEN, UPSTREAM_RESPONSE_TIMEOUT_MS: '10000' } });
    flagsFile = path.join(edge.dir, 'flags.json');
    env = {
      EDGE_URL: edge.url,
      FLAGS_FILE: flagsFile,
      MANIFESTS_DIR: edge.manifestsDir,
      SYNC_URLS: sync.url,
      STRANGLER_FENCE_DRAIN_SECONDS: '1',
      ...sides.env,
    };
  });

  afterAll(async () => {
    await edge?.stop();
    await Promise.all([monolith?.close(0), service?.close(0)]);
    await sync?.stop();
    await sides?.close();
  });

  afterEach(() => sync.control.resume());

  const setPayments = async (stage: 'monolith' | 'live', rollout: number) => {
    edge.setFlags([
      { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
      { capability: 'payments', enabled: stage !== 'monolith', stage, rollout },
    ]);
    await waitFor('the edge to route by the flags', async () => {
      const seen = (await (await fetch(`${edge.url}/_edge/capabilities`)).json()) as { capabilities: Array<{ capability: string; stage: string; percentage: number }> };
      const payments = seen.capabilities.find((c) => c.capability === 'payments')!;
      return payments.stage === stage && payments.percentage === rollout;
    });
  };

  const paymentsFlag = () => {
    const feature = (JSON.parse(readFileSync(flagsFile, 'utf8')) as { features: Array<{ name: string; enabled: boolean; strategies: any[] }> }).features.find((f) => f.name === 'strangler.payments')!;
    return { stage: JSON.parse(feature.strategies[0].variants[0].payload.value).stage as string, rollout: feature.strategies[0].parameters.rollout as string };
  };

  async function call(method: string, url: string, options: { token?: string; key?: string; body?: unknown } = {}) {
    const response = await fetch(`${edge.url}${url}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.key ? { 'idempotency-key': options.key } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, target: response.headers.get('x-strangler-target'), body: text ? JSON.parse(text) : undefined };
  }

  const register = async () => {
    const answer = await call('POST', '/api/auth/register', { body: { email: `u-${randomUUID()}@example.com`, password: 'correct horse battery', name: 'U' } });
    expect(answer.status).toBe(201);
    return { token: answer.body.token as string, userId: answer.body.user.id as string };
  };

  const backlog = async (direction: 'to-service' | 'to-monolith') => {
    const outcome = await backlogWithEngine('payments', sides.env);
    if (!outcome.ok) throw new Error(outcome.error);
    return outcome.byDirection[direction].pending;
  };
  const caughtUp = () => waitFor('the sync to catch up', async () => (await backlog('to-service')) === 0 && (await backlog('to-monolith')) === 0, 20_000);

  /** One payment per idempotency key, and refunds never above the capture, the row agreeing with them: on both sides. */
  async function expectInvariants(userId: string) {
    await caughtUp();
    for (const [side, db, minor] of [['monolith', sides.monolith, false], ['service', sides.payments, true]] as const) {
      const keys = await db.knex('idempotency_keys').where({ user_id: userId });
      const payments = await db.knex('payments').where({ user_id: userId });
      const createdByKey = keys.filter((k: { response_status: number }) => k.response_status === 201);
      expect({ side, payments: payments.length }).toEqual({ side, payments: new Set(createdByKey.map((k: { response_body: string }) => JSON.parse(k.response_body).payment?.id).filter(Boolean)).size });
      for (const payment of payments) {
        const refunds = await db.knex('refunds').where({ payment_id: payment.id });
        const toMinor = (v: string | number) => (minor ? Number(v) : Math.round(Number(v) * 100));
        const refunded = refunds.reduce((sum: number, r: { amount?: string; amount_minor?: number }) => sum + toMinor((minor ? r.amount_minor : r.amount)!), 0);
        const captured = toMinor(minor ? payment.captured_minor : payment.captured_amount);
        const rowRefunded = toMinor(minor ? payment.refunded_minor : payment.refunded_amount);
        expect({ side, id: payment.id, refunded, rowRefunded, withinCapture: refunded <= captured }).toEqual({ side, id: payment.id, refunded, rowRefunded: refunded, withinCapture: true });
      }
    }
  }

  it('A: a rollback while the service’s payment has not reached the monolith is refused; once applied, the retried key replays the same payment', async () => {
    await setPayments('live', 100);
    const user = await register();
    sync.control.pause();
    const first = await call('POST', '/api/payments', { token: user.token, key: 'K-A', body: { amount: '20.00', currency: 'USD' } });
    expect([first.status, first.target]).toEqual([201, 'service']);

    const refused = await strangler(['rollback', 'payments'], env);
    expect(refused.code).toBe(4);
    expect(refused.out).toMatch(/REFUSED, nothing was changed/);
    expect(refused.out).toMatch(/FAIL\s+write fence\s+the old writer's changes were not all applied within 1 s \(to-monolith [1-9]\d* change\(s\) unapplied/);
    expect(paymentsFlag().stage).toBe('live');
    // The fence came down with the refusal: writes flow again.
    expect((await call('GET', '/_edge/fences')).body.fences.find((f: { capability: string }) => f.capability === 'payments')).toMatchObject({ raised: false, inFlightWrites: 0 });

    sync.control.resume();
    const rollback = await strangler(['rollback', 'payments'], env);
    expect(rollback.err).toBe('');
    expect(rollback.code).toBe(0);
    expect(rollback.out).toMatch(/write fence on 1 edge\(s\): writes paused \d+\.\d\d s/);
    expect(rollback.out).toMatch(/every edge routes by it/);

    const retry = await call('POST', '/api/payments', { token: user.token, key: 'K-A', body: { amount: '20.00', currency: 'USD' } });
    expect([retry.status, retry.target, retry.body.payment.id]).toEqual([201, 'monolith', first.body.payment.id]);
    await expectInvariants(user.userId);
  });

  it('A, mirror image: a write that lands on the monolith after the forward gates’ verify holds the flip until the sync has carried it', async () => {
    await setPayments('monolith', 100);
    const user = await register();
    await caughtUp();
    let first: Awaited<ReturnType<typeof call>> | undefined;
    // The gates pass; then, in the window before the flag moves, the sync lags and a keyed write lands.
    const verifyThenWrite = async (capability: string) => {
      const outcome = await verifyWithEngine(capability, sides.env);
      sync.control.pause();
      first = await call('POST', '/api/payments', { token: user.token, key: 'K-M', body: { amount: '7.50', currency: 'USD' } });
      return outcome;
    };
    const refused = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '100'], env, { verify: verifyThenWrite });
    expect([first!.status, first!.target]).toEqual([201, 'monolith']);
    expect(refused.code).toBe(4);
    expect(refused.out).toMatch(/ok\s+verify/);
    expect(refused.out).toMatch(/FAIL\s+write fence\s+.*to-service [1-9]\d* change\(s\) unapplied/);
    expect(paymentsFlag().stage).toBe('monolith');

    sync.control.resume();
    const flip = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '100'], env);
    expect(flip.code).toBe(0);
    const retry = await call('POST', '/api/payments', { token: user.token, key: 'K-M', body: { amount: '7.50', currency: 'USD' } });
    expect([retry.status, retry.target, retry.body.payment.id]).toEqual([201, 'service', first!.body.payment.id]);
    await expectInvariants(user.userId);
  });

  it('B: no refund above the capture across a rollback: the monolith refuses the second refund once it holds the first', async () => {
    await setPayments('live', 100);
    const user = await register();
    const payment = await call('POST', '/api/payments', { token: user.token, key: 'K-B', body: { amount: '20.00', currency: 'USD' } });
    expect((await call('POST', `/api/payments/${payment.body.payment.id}/capture`, { token: user.token, body: {} })).status).toBe(200);
    await caughtUp();
    sync.control.pause();
    const refund = await call('POST', `/api/payments/${payment.body.payment.id}/refunds`, { token: user.token, body: { amount: '15.00' } });
    expect([refund.status, refund.target]).toEqual([201, 'service']);
    expect((await strangler(['rollback', 'payments'], env)).code).toBe(4);

    sync.control.resume();
    expect((await strangler(['rollback', 'payments'], env)).code).toBe(0);
    const second = await call('POST', `/api/payments/${payment.body.payment.id}/refunds`, { token: user.token, body: { amount: '15.00' } });
    expect([second.status, second.target, second.body.code]).toEqual([409, 'monolith', 'PAYMENT_REFUND_EXCEEDS_CAPTURED']);
    await expectInvariants(user.userId);
  });

  it('B, mirror image (percentage down): live 100% → live 0% waits for the service’s refund before the monolith takes the user’s writes', async () => {
    await setPayments('live', 100);
    const user = await register();
    const payment = await call('POST', '/api/payments', { token: user.token, key: 'K-P', body: { amount: '10.00', currency: 'USD' } });
    await call('POST', `/api/payments/${payment.body.payment.id}/capture`, { token: user.token, body: {} });
    await caughtUp();
    sync.control.pause();
    expect((await call('POST', `/api/payments/${payment.body.payment.id}/refunds`, { token: user.token, body: { amount: '10.00' } })).status).toBe(201);
    const refused = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '0'], env);
    expect(refused.code).toBe(4);
    expect(paymentsFlag().rollout).toBe('100');
    sync.control.resume();
    expect((await strangler(['flip', 'payments', '--stage', 'live', '--percent', '0'], env)).code).toBe(0);
    const again = await call('POST', `/api/payments/${payment.body.payment.id}/refunds`, { token: user.token, body: { amount: '10.00' } });
    expect([again.status, again.target]).toEqual([409, 'monolith']);
    const retry = await call('POST', '/api/payments', { token: user.token, key: 'K-P', body: { amount: '10.00', currency: 'USD' } });
    expect([retry.status, retry.target, retry.body.payment.id]).toEqual([201, 'monolith', payment.body.payment.id]);
    await expectInvariants(user.userId);
  });

  it('refuses the capability’s writes while the fence is up (checkout included), reads flowing', async () => {
    await setPayments('live', 100);
    const user = await register();
    await caughtUp();
    const seen: Array<{ write: number; code: string; checkout: number; read: number; direct: { service: unknown; monolith: number } }> = [];
    // Looked at from inside the fence: the backlog is read only once every edge has raised it.
    const backlogInsideFence = async (capability: string) => {
      const fence = (await call('GET', '/_edge/fences')).body.fences.find((f: { capability: string }) => f.capability === 'payments');
      if (fence.raised && seen.length === 0) {
        const write = await call('POST', '/api/payments', { token: user.token, key: 'K-F', body: { amount: '1.00', currency: 'USD' } });
        const checkout = await call('POST', '/api/orders/o-1/checkout', { token: user.token, body: {} });
        const read = await call('GET', '/api/payments', { token: user.token });
        // Past the edge (a stalled request, another path): the old writer's database refuses it too;
        // the new writer (the monolith, in a rollback) is not fenced.
        const direct = (base: string, key: string) =>
          fetch(`${base}/api/payments`, { method: 'POST', headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json', 'idempotency-key': key }, body: '{"amount":"1.00","currency":"USD"}' });
        const toService = await direct(service.url, 'K-D1');
        const toMonolith = await direct(monolith.url, 'K-D2');
        const serviceBody = (await toService.json()) as { code?: string };
        seen.push({
          write: write.status,
          code: write.body.code,
          checkout: checkout.status,
          read: read.status,
          direct: { service: [toService.status, serviceBody.code, toService.headers.get('retry-after')], monolith: toMonolith.status },
        });
      }
      return backlogWithEngine(capability, sides.env);
    };
    const rollback = await strangler(['rollback', 'payments'], env, { backlog: backlogInsideFence });
    expect(rollback.code).toBe(0);
    expect(seen).toEqual([{ write: 503, code: 'WRITE_FENCED', checkout: 503, read: 200, direct: { service: [503, 'WRITE_FENCED', '1'], monolith: 201 } }]);
    expect((await call('POST', '/api/payments', { token: user.token, key: 'K-F', body: { amount: '1.00', currency: 'USD' } })).status).toBe(201);
  });

  it('status shows a raised fence, who holds it, and lists it as a problem (a switch under way, or one that died)', async () => {
    await fetch(`${edge.url}/_edge/fences/payments`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ owner: 'strangler-dead', ttlMs: 30_000 }) });
    try {
      const status = await strangler(['status', 'payments'], env);
      expect(status.code).toBe(1);
      expect(status.out).toMatch(/fence\s+WRITES FENCED \(held by strangler-dead\), 0 write\(s\) in flight/);
      expect(status.out).toMatch(/payments: writes are fenced \(held by strangler-dead\)/);
    } finally {
      await fetch(`${edge.url}/_edge/fences/payments/strangler-dead`, { method: 'DELETE' });
    }
  });

  it('--force switches at once with the sync paused, and says what can diverge', async () => {
    await setPayments('live', 100);
    const user = await register();
    sync.control.pause();
    expect((await call('POST', '/api/payments', { token: user.token, key: 'K-X', body: { amount: '2.00', currency: 'USD' } })).status).toBe(201);
    const forced = await strangler(['rollback', 'payments', '--force'], env);
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/WARNING: no write fence \(--force\): .*a retried Idempotency-Key may be done twice, refunds may exceed a capture.*strangler data verify payments/);
    expect(forced.out).not.toMatch(/write fence on/);
    expect(paymentsFlag().stage).toBe('monolith');
  });

  it('refuses the switch when one of EDGE_URLS cannot fence, and lowers the fence it raised on the others', async () => {
    await setPayments('live', 100);
    const result = await strangler(['rollback', 'payments'], { ...env, EDGE_URLS: `${edge.url},${await closedPortUrl()}` });
    expect(result.code).toBe(4);
    expect(result.out).toMatch(/FAIL\s+write fence\s+cannot reach the edge/);
    expect(paymentsFlag().stage).toBe('live');
    expect((await call('GET', '/_edge/fences')).body.fences.find((f: { capability: string }) => f.capability === 'payments').raised).toBe(false);
  });

  it('names the row a lagging sync waits on, in the gate’s refusal and in status (blockersWithEngine)', async () => {
    await setPayments('live', 100);
    const user = await register();
    await caughtUp();
    sync.control.pause();
    await call('POST', '/api/payments', { token: user.token, key: 'K-L', body: { amount: '3.00', currency: 'USD' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await strangler(['rollback', 'payments'], { ...env, STRANGLER_MAX_SYNC_LAG_SECONDS: '0.2' });
    expect(refused.code).toBe(4);
    expect(refused.out).toMatch(/FAIL\s+sync to-monolith\s+lagging: the oldest unapplied change is .*; waiting on (payments|idempotency_keys) \[/);
    const status = await strangler(['status', 'payments'], env);
    expect(status.out).toMatch(/blocked\s+to-monolith\s+waiting on /);
    expect(status.out).toMatch(/fence\s+down, 0 write\(s\) in flight/);
  });

  describe('two operators at once (issue #13.1)', () => {
    it('a rollback issued while a forward flip runs its gates wins: the flip writes nothing', async () => {
      await setPayments('live', 10);
      await caughtUp();
      let rollback: Awaited<ReturnType<typeof strangler>> | undefined;
      const slowVerify = async (capability: string) => {
        rollback = await strangler(['rollback', 'payments'], env);
        return verifyWithEngine(capability, sides.env);
      };
      const forward = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '50'], env, { verify: slowVerify });
      expect(rollback!.code).toBe(0);
      expect(rollback!.out).toMatch(/live 10% → monolith/);
      expect(forward.code).toBe(4);
      expect(forward.err).toMatch(/the flag moved while this flip ran its gates: it read live 10% \(generation \d+\), it is now monolith/);
      expect(forward.err).toMatch(/nothing was changed/);
      expect(paymentsFlag()).toEqual({ stage: 'monolith', rollout: '10' });
    });

    // Found trying to break it: a rollback landing after a forward flip wrote, while it waited for the
    // edges, left the flip waiting for a state that would never come, its fence up until it expired:
    // every payments write refused for ~25 s after the rollback was done.
    it('a rollback that lands while a forward flip waits for the edges wins, and the flip lowers its fence at once', async () => {
      await setPayments('live', 10);
      await caughtUp();
      let rollback: Awaited<ReturnType<typeof strangler>> | undefined;
      const sleep = async (ms: number) => {
        if (!rollback && paymentsFlag().rollout === '50') rollback = await strangler(['rollback', 'payments'], env);
        await new Promise((resolve) => setTimeout(resolve, ms));
      };
      const forward = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '50'], env, { sleep });
      expect(rollback?.code).toBe(0);
      expect(forward.code).toBe(1);
      expect(forward.out).toMatch(/written, then superseded before every edge applied it: the flag now reads monolith \(generation \d+\)/);
      expect(paymentsFlag().stage).toBe('monolith');
      expect((await call('GET', '/_edge/fences')).body.fences.find((f: { capability: string }) => f.capability === 'payments')).toMatchObject({ raised: false, holds: [] });
    });

    it('a rollback with nothing to change still stops a flip in flight', async () => {
      await setPayments('monolith', 10);
      let rollback: Awaited<ReturnType<typeof strangler>> | undefined;
      const slowVerify = async (capability: string) => {
        rollback = await strangler(['rollback', 'payments'], env);
        return verifyWithEngine(capability, sides.env);
      };
      const forward = await strangler(['flip', 'payments', '--stage', 'reads', '--percent', '10'], env, { verify: slowVerify });
      expect(rollback!.out).toMatch(/already monolith .*generation bumped/);
      expect(forward.code).toBe(4);
      expect(paymentsFlag().stage).toBe('monolith');
    });
  });
});
