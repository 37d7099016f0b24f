import path from 'node:path';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createLogger, listen, PeerSessionsClient, type RunningServer } from '@strangler/kit';
import { backlogWithEngine } from '../src/gates/engine-checks';
import { lowerDbFence, raiseDbFence, type RunningSyncService } from '@strangler/data-engine';
import { buildMonolithApp } from '@strangler/monolith';
import { buildPaymentsServiceApp } from '@strangler/payments-service';
import { startTestEdge, standardRoutes, type TestEdge } from '@strangler/edge/testing';
import { createDataSides, shippedCapability, startSyncWorker, strangler, waitFor, type DataSides } from './support/cli-harness';

jest.setTimeout(120_000);

const INTERNAL_TOKEN = 'open-write-internal-token-0123456789abcdef';

/**
 * Decision 0048 on a real stack over MariaDB: the payments service, frozen between its last statement
 * (and its pre-commit deadline check, decision 0038) and COMMIT, holds a keyed payment in an open
 * transaction while `strangler rollback` moves the writes to the monolith. The request reached the
 * service by another path than the edge (a job, an edge not in EDGE_URLS), so no edge counts it, and
 * its change is not in the changelog until it commits. The switch must wait for it or be refused —
 * never complete and let it commit on the old writer afterwards. Checked on both databases' rows.
 *
 * Twice: the service's transactions at READ COMMITTED (only the drain of open writes sees it) and at
 * MariaDB's default REPEATABLE READ (the fence's hold write itself waits for it).
 */
describe.each([['read committed'], ['repeatable read']] as const)('a write frozen before COMMIT on the old writer during a rollback (service at %s)', (isolation) => {
  let sides: DataSides;
  let sync: RunningSyncService;
  let monolith: RunningServer;
  let service: RunningServer;
  let edge: TestEdge;
  let env: Record<string, string>;
  /** Set: the service's next write transaction stops right before its COMMIT until `thaw`. */
  let freeze: { reached: Promise<void>; reach(): void; thaw(): void; thawed: Promise<void> } | undefined;
  const thawAll: Array<() => void> = [];

  const freezeBeforeCommit = () => {
    let reach!: () => void;
    let thaw!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    const thawed = new Promise<void>((resolve) => (thaw = resolve));
    freeze = { reached, reach, thaw, thawed };
    thawAll.push(thaw);
    return freeze;
  };

  beforeAll(async () => {
    sides = await createDataSides('mysql');
    // The service process as it runs, but its transactions at `isolation` and able to freeze before COMMIT.
    const knex = sides.payments.knex;
    const frozenAtCommit = (handler: (trx: Knex.Transaction) => Promise<unknown>, config?: Knex.TransactionConfig) =>
      knex.transaction(async (trx) => {
        const result = await handler(trx);
        const frozen = freeze;
        if (frozen) {
          freeze = undefined;
          frozen.reach();
          await frozen.thawed;
        }
        return result;
      }, { ...config, isolationLevel: isolation });
    const serviceKnex = new Proxy(knex, { get: (target, property) => (property === 'transaction' ? frozenAtCommit : Reflect.get(target, property)) });
    const serviceDb = { ...sides.payments, knex: serviceKnex };
    // The fence's triggers as an earlier switch left them: the first raise on a side creates them, under
    // each table's exclusive lock, which would wait for the frozen transaction too (decision 0048).
    await raiseDbFence(sides.payments.knex, shippedCapability('payments'), 'service', 'install', 1_000);
    await lowerDbFence(sides.payments.knex, shippedCapability('payments'), 'install');
    sync = await startSyncWorker(sides, 'payments');
    const logger = createLogger({ name: 'stack', level: 'silent' });
    monolith = await listen(buildMonolithApp({ db: sides.monolith, logger, sessionTtlMs: 3_600_000, internalToken: INTERNAL_TOKEN, authPeers: [] }), 0, '127.0.0.1');
    const peers = new PeerSessionsClient({ peers: [monolith.url], internalToken: INTERNAL_TOKEN, timeoutMs: 2_000, logger });
    service = await listen(buildPaymentsServiceApp({ db: serviceDb, logger, peers }), 0, '127.0.0.1');
    const routes = standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url });
    edge = await startTestEdge({ routes, env: { AUTH_PEERS: monolith.url, INTERNAL_API_TOKEN: INTERNAL_TOKEN, UPSTREAM_RESPONSE_TIMEOUT_MS: '10000' } });
    env = { EDGE_URL: edge.url, FLAGS_FILE: path.join(edge.dir, 'flags.json'), MANIFESTS_DIR: edge.manifestsDir, SYNC_URLS: sync.url, STRANGLER_FENCE_DRAIN_SECONDS: '2', ...sides.env };
  });

  afterAll(async () => {
    for (const thaw of thawAll) thaw();
    await edge?.stop();
    await Promise.all([monolith?.close(0), service?.close(0)]);
    await sync?.stop();
    await sides?.close();
  });

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
  const paymentsStage = () => {
    const feature = (JSON.parse(readFileSync(env.FLAGS_FILE!, 'utf8')) as { features: Array<{ name: string; strategies: any[] }> }).features.find((f) => f.name === 'strangler.payments')!;
    return JSON.parse(feature.strategies[0].variants[0].payload.value).stage as string;
  };

  async function call(base: string, method: string, url: string, options: { token?: string; key?: string; body?: unknown } = {}) {
    const response = await fetch(`${base}${url}`, {
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
    const answer = await call(edge.url, 'POST', '/api/auth/register', { body: { email: `ow-${randomUUID()}@example.com`, password: 'correct horse battery', name: 'O' } });
    expect(answer.status).toBe(201);
    return { token: answer.body.token as string, userId: answer.body.user.id as string };
  };
  const caughtUp = () =>
    waitFor('the sync to catch up', async () => {
      const outcome = await backlogWithEngine('payments', sides.env);
      return outcome.ok && outcome.byDirection['to-service'].pending === 0 && outcome.byDirection['to-monolith'].pending === 0;
    }, 20_000);

  /** The rows themselves, on both databases: the payments of this user and its idempotency records (one key per user here; the service stores it hashed). */
  async function rows(userId: string) {
    await caughtUp();
    const of = async (db: DataSides['monolith']) => ({
      payments: ((await db.knex('payments').where({ user_id: userId }).select('id')) as Array<{ id: string }>).map((p) => p.id).sort(),
      keys: ((await db.knex('idempotency_keys').where({ user_id: userId })) as unknown[]).length,
    });
    return { monolith: await of(sides.monolith), service: await of(sides.payments) };
  }

  it('held past the drain bound: the rollback is refused naming the connection, the flag stays; after the thaw, one payment for the key on both sides', async () => {
    await setPayments('live', 100);
    const user = await register();
    await caughtUp();
    const frozen = freezeBeforeCommit();
    const first = call(service.url, 'POST', '/api/payments', { token: user.token, key: 'K-HELD', body: { amount: '12.00', currency: 'USD' } });
    await frozen.reached;

    const refused = await strangler(['rollback', 'payments'], env);
    expect(refused.code).toBe(4);
    expect(refused.out).toMatch(/REFUSED, nothing was changed/);
    expect(refused.out).toMatch(isolation === 'read committed'
      ? /a transaction that wrote payments's data on the old writer is still open after the 2 s drain: payments service database: \w+ is held by connection \d+ \([^)]*transaction open \d+ s, \d+ row\(s\) changed, idle\)/
      : /cannot fence the old writer's database \(service\): waited 2 s for open transactions on payments's tables to end \(connection \d+ \([^)]*transaction open \d+ s, \d+ row\(s\) changed, idle\)/);
    expect(paymentsStage()).toBe('live');

    frozen.thaw();
    const done = await first;
    expect(done.status).toBe(201);
    // Still the service's writes: the retry replays it there; then the rollback goes through.
    const retry = await call(edge.url, 'POST', '/api/payments', { token: user.token, key: 'K-HELD', body: { amount: '12.00', currency: 'USD' } });
    expect([retry.status, retry.target, retry.body.payment.id]).toEqual([201, 'service', done.body.payment.id]);
    const rollback = await strangler(['rollback', 'payments'], env);
    expect([rollback.code, rollback.err]).toEqual([0, '']);
    const after = await call(edge.url, 'POST', '/api/payments', { token: user.token, key: 'K-HELD', body: { amount: '12.00', currency: 'USD' } });
    expect([after.status, after.target, after.body.payment.id]).toEqual([201, 'monolith', done.body.payment.id]);
    expect(await rows(user.userId)).toEqual({ monolith: { payments: [done.body.payment.id], keys: 1 }, service: { payments: [done.body.payment.id], keys: 1 } });
  });

  it('committed within the bound: the rollback waits for it, carries it, then moves the writes; the retry replays it on the monolith', async () => {
    await setPayments('live', 100);
    const user = await register();
    await caughtUp();
    const frozen = freezeBeforeCommit();
    const first = call(service.url, 'POST', '/api/payments', { token: user.token, key: 'K-WAITED', body: { amount: '7.00', currency: 'USD' } });
    await frozen.reached;

    const rolling = strangler(['rollback', 'payments'], { ...env, STRANGLER_FENCE_DRAIN_SECONDS: '6' });
    await waitFor('the rollback to raise its fence', async () => ((await (await fetch(`${edge.url}/_edge/fences`)).json()) as { fences: Array<{ capability: string; raised: boolean }> }).fences.some((f) => f.capability === 'payments' && f.raised), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 700));
    frozen.thaw();
    const rollback = await rolling;
    expect([rollback.code, rollback.err]).toEqual([0, '']);
    expect(rollback.out).toMatch(/database fenced \d+\.\d\d s/);
    const done = await first;
    expect(done.status).toBe(201);
    const retry = await call(edge.url, 'POST', '/api/payments', { token: user.token, key: 'K-WAITED', body: { amount: '7.00', currency: 'USD' } });
    expect([retry.status, retry.target, retry.body.payment.id]).toEqual([201, 'monolith', done.body.payment.id]);
    expect(await rows(user.userId)).toEqual({ monolith: { payments: [done.body.payment.id], keys: 1 }, service: { payments: [done.body.payment.id], keys: 1 } });
  });
});
