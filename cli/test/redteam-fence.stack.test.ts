import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createLogger, listen, PeerSessionsClient, type RunningServer } from '@strangler/kit';
import { backlogWithEngine } from '../src/gates/engine-checks';
import type { RunningSyncService } from '@strangler/data-engine';
import { buildMonolithApp } from '@strangler/monolith';
import { buildPaymentsServiceApp } from '@strangler/payments-service';
import { readEdgeConfig, listenEdge, createEdgeRuntime } from '@strangler/edge';
import { buildFlagsDocument, type CapabilityFlagSetting } from '@strangler/cutover-model';
import { standardRoutes, writeEdgeInputs, requestHead, trickle } from '@strangler/edge/testing';
import { createDataSides, startSyncWorker, strangler, waitFor, type DataSides } from './support/cli-harness';
import { FreezableProxy } from './support/freezable-proxy';

jest.setTimeout(120_000);

const INTERNAL_TOKEN = 'redteam-fence-internal-token-0123456789abcdef';
/** Red team's port range (44000–44999): the edge listens on a fixed port so it can be restarted under the CLI's feet. */
const EDGE_PORT = 44_100 + (process.pid % 400);

/**
 * Red team against the write-authority switch (decisions 0018–0020) on a real stack: the monolith and
 * the payments service over SQLite, change capture and a real sync worker (paused = SIGUSR1), the edge
 * on its flags file, `strangler` in-process (and once as a real process, killed with SIGKILL). The
 * payments service sits behind a TCP hop that models SIGSTOP/SIGCONT. Each scenario checks the
 * promise itself on both databases (one payment per key), not `verify`.
 *
 * `red team:` describes are breaks: they fail on this branch (605cce4) and say why. `red team (holds):`
 * describes are attacks the product withstood, kept as regression tests.
 */
describe('red team against the write fence (stack)', () => {
  let sides: DataSides;
  let sync: RunningSyncService;
  let monolith: RunningServer;
  let service: RunningServer;
  let frozen: FreezableProxy;
  let dir: string;
  let routesFile: string;
  let manifestsDir: string;
  let flagsFile: string;
  let edge: { url: string; stop(): Promise<void> };
  let env: Record<string, string>;
  const logger = createLogger({ name: 'redteam', level: 'silent' });

  const edgeEnv = () => ({ AUTH_PEERS: monolith.url, INTERNAL_API_TOKEN: INTERNAL_TOKEN, UPSTREAM_RESPONSE_TIMEOUT_MS: '1500', BREAKER_COOLDOWN_MS: '300', READ_YOUR_WRITES_MS: '0' });

  /** The edge as production wires it, on EDGE_PORT, over the shared routes and flags files (restartable). */
  async function bootEdge(port: number, flags = flagsFile, env: Record<string, string> = {}): Promise<{ url: string; stop(): Promise<void> }> {
    // As production wires it (docker-compose.yml): fence holds kept across restarts (EDGE_FENCE_FILE, decision 0039).
    const config = readEdgeConfig({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent', ROUTES_FILE: routesFile, MANIFESTS_DIR: manifestsDir, FLAGS_FILE: flags, FILE_WATCH_DEBOUNCE_MS: '20', UPSTREAM_CONNECT_TIMEOUT_MS: '500', EDGE_FENCE_FILE: path.join(dir, `fences-${port || randomUUID()}.json`), ...edgeEnv(), ...env });
    const runtime = await createEdgeRuntime(config, { env: {}, logger });
    const listeners = await listenEdge(runtime.edge, config);
    return {
      url: listeners.public.url,
      async stop() {
        await listeners.close(200);
        await runtime.close();
      },
    };
  }

  const atomicWrite = (file: string, text: string) => {
    const temp = `${file}.${randomUUID()}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
  };
  const flagsFor = (stage: 'monolith' | 'live', rollout: number): CapabilityFlagSetting[] => [
    { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
    { capability: 'payments', enabled: stage !== 'monolith', stage, rollout },
  ];

  beforeAll(async () => {
    sides = await createDataSides('sqlite');
    sync = await startSyncWorker(sides, 'payments');
    monolith = await listen(buildMonolithApp({ db: sides.monolith, logger, sessionTtlMs: 3_600_000, internalToken: INTERNAL_TOKEN, authPeers: [] }), 0, '127.0.0.1');
    const peers = new PeerSessionsClient({ peers: [monolith.url], internalToken: INTERNAL_TOKEN, timeoutMs: 2_000, logger });
    service = await listen(buildPaymentsServiceApp({ db: sides.payments, logger, peers }), 0, '127.0.0.1');
    frozen = await FreezableProxy.start(service.url);
    dir = mkdtempSync(path.join(tmpdir(), 'rt-fence-'));
    flagsFile = path.join(dir, 'flags.json');
    const routes = standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: frozen.url });
    routes.capabilities.payments!.writtenThrough = [{ methods: 'POST', path: '/api/orders/:id/checkout' }];
    ({ routesFile, manifestsDir } = writeEdgeInputs(dir, routes));
    atomicWrite(flagsFile, JSON.stringify(buildFlagsDocument(flagsFor('monolith', 0))));
    edge = await bootEdge(EDGE_PORT);
    env = { EDGE_URL: edge.url, FLAGS_FILE: flagsFile, MANIFESTS_DIR: manifestsDir, SYNC_URLS: sync.url, STRANGLER_FENCE_DRAIN_SECONDS: '1', ...sides.env };
  });

  afterAll(async () => {
    await edge?.stop();
    await frozen?.stop();
    await Promise.all([monolith?.close(0), service?.close(0)]);
    await sync?.stop();
    await sides?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    sync.control.resume();
    frozen.thaw();
  });

  const capabilitiesOf = async (url: string) =>
    ((await (await fetch(`${url}/_edge/capabilities`)).json()) as { capabilities: Array<{ capability: string; stage: string; percentage: number }> }).capabilities.find((c) => c.capability === 'payments')!;
  const fenceOf = async (url: string) => ((await (await fetch(`${url}/_edge/fences`)).json()) as { fences: Array<{ capability: string; raised: boolean; inFlightWrites: number; inDoubtWrites?: number; holds: unknown[] }> }).fences.find((f) => f.capability === 'payments')!;
  /** Writes the edge is forwarding and awaiting an answer for (not those in doubt, decision 0038). */
  const awaitingOnEdge = async (url: string) => {
    const fence = await fenceOf(url);
    return fence.inFlightWrites - (fence.inDoubtWrites ?? 0);
  };

  // Each scenario starts with nothing in flight or in doubt (decision 0038) left by the one before:
  // a write a previous scenario's frozen side was given up on holds a switch's drain for a few seconds.
  beforeEach(async () => {
    await waitFor('no write in flight or in doubt on the edge', async () => (await fenceOf(edge.url)).inFlightWrites === 0, 30_000);
  });

  async function setPayments(stage: 'monolith' | 'live', rollout: number, file = flagsFile, url = edge.url) {
    atomicWrite(file, JSON.stringify(buildFlagsDocument(flagsFor(stage, rollout))));
    await waitFor('the edge to route by the flags', async () => {
      const seen = await capabilitiesOf(url);
      return seen.stage === stage && seen.percentage === rollout;
    });
  }
  const paymentsStage = () => {
    const feature = (JSON.parse(readFileSync(flagsFile, 'utf8')) as { features: Array<{ name: string; strategies: any[] }> }).features.find((f) => f.name === 'strangler.payments')!;
    return JSON.parse(feature.strategies[0].variants[0].payload.value).stage as string;
  };

  async function call(method: string, url: string, options: { token?: string; key?: string; body?: unknown; via?: string; signal?: AbortSignal } = {}) {
    const response = await fetch(`${options.via ?? edge.url}${url}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.key ? { 'idempotency-key': options.key } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = await response.text();
    return { status: response.status, target: response.headers.get('x-strangler-target'), retryAfter: response.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
  }

  const register = async () => {
    const answer = await call('POST', '/api/auth/register', { body: { email: `rt-${randomUUID()}@example.com`, password: 'correct horse battery', name: 'R' } });
    expect(answer.status).toBe(201);
    return { token: answer.body.token as string, userId: answer.body.user.id as string };
  };

  const backlog = async (direction: 'to-service' | 'to-monolith') => {
    const outcome = await backlogWithEngine('payments', sides.env);
    if (!outcome.ok) throw new Error(outcome.error);
    return outcome.byDirection[direction].pending;
  };
  const caughtUp = () => waitFor('the sync to catch up', async () => (await backlog('to-service')) === 0 && (await backlog('to-monolith')) === 0, 20_000);

  /** The payment ids each side holds for a user (after the sync has carried what it can). */
  async function paymentIdsOnBothSides(userId: string) {
    await caughtUp().catch(() => undefined);
    const ids = async (db: DataSides['monolith']) => ((await db.knex('payments').where({ user_id: userId }).select('id')) as Array<{ id: string }>).map((p) => p.id).sort();
    return { monolith: await ids(sides.monolith), service: await ids(sides.payments) };
  }

  /**
   * The payment a side itself created for this user's keyed request (its idempotency record), if it
   * did one. Once the edge's write deadline holds (decision 0038), a thawed side refuses what the edge
   * gave up on, so there may be none: the promise is "at most once", not "the frozen side wins".
   */
  const keyedPaymentBy = async (db: DataSides['monolith'], userId: string): Promise<string | undefined> => {
    const record = (await db.knex('idempotency_keys').where({ user_id: userId, response_status: 201 }).first()) as { response_body: string } | undefined;
    return record ? (JSON.parse(record.response_body).payment.id as string) : undefined;
  };
  /** Thawed: waits until the side behind `proxy` has answered (done or refused) everything it held. */
  const answeredAll = (proxy: FreezableProxy, what: string) => waitFor(`the thawed ${what} to answer what it held`, async () => proxy.answeredWhatItHeld(), 15_000);
  /** What one payment per key looks like: the one id (the side's own, else the retry's) on both sides, or none at all. */
  const once = (id: string | undefined) => (id === undefined ? [] : [id]);

  // First: forward flips run verify, which a conflict left by a break below would fail.
  describe('red team (holds): two operators at once', () => {
    it('two rollbacks together: both succeed or one refuses, the flag ends at monolith, the fence ends down, one payment per key', async () => {
      await setPayments('live', 100);
      const user = await register();
      const first = await call('POST', '/api/payments', { token: user.token, key: 'K-TWO', body: { amount: '6.00', currency: 'USD' } });
      const [a, b] = await Promise.all([strangler(['rollback', 'payments'], env), strangler(['rollback', 'payments'], env)]);
      expect([a.code, b.code].filter((c) => c === 0).length).toBeGreaterThanOrEqual(1);
      expect(paymentsStage()).toBe('monolith');
      expect((await fenceOf(edge.url)).raised).toBe(false);
      const retry = await call('POST', '/api/payments', { token: user.token, key: 'K-TWO', body: { amount: '6.00', currency: 'USD' } });
      expect([retry.status, retry.body.payment.id]).toEqual([201, first.body.payment.id]);
      expect(await paymentIdsOnBothSides(user.userId)).toEqual({ monolith: [first.body.payment.id], service: [first.body.payment.id] });
    });

    it('two forward flips together: exactly one writes, the other fails with the flag moved, the fence ends down', async () => {
      await setPayments('live', 10);
      await caughtUp();
      const [a, b] = await Promise.all([strangler(['flip', 'payments', '--stage', 'live', '--percent', '50'], env), strangler(['flip', 'payments', '--stage', 'live', '--percent', '80'], env)]);
      expect([a.code, b.code].sort()).toEqual([0, 4]);
      const winner = a.code === 0 ? '50' : '80';
      expect((await capabilitiesOf(edge.url)).percentage).toBe(Number(winner));
      expect((await fenceOf(edge.url)).raised).toBe(false);
    });
  });

  describe('red team (holds): a CLI killed with SIGKILL in the middle of a switch', () => {
    it('leaves a fence that refuses writes retryably, shows in status, and expires by itself; the flag is untouched', async () => {
      await setPayments('live', 100);
      const user = await register();
      await caughtUp();
      sync.control.pause();
      // A change the rollback must drain: the CLI waits inside its fence.
      expect((await call('POST', '/api/payments', { token: user.token, key: 'K-KILLED', body: { amount: '2.00', currency: 'USD' } })).status).toBe(201);
      const cli = spawn(process.execPath, [path.join(__dirname, '../bin/strangler.js'), 'rollback', 'payments', '--wait', '1'], {
        // The lag bound is wide: a slow process start must not turn the gate into a lag refusal.
        env: { PATH: process.env.PATH, ...env, STRANGLER_FENCE_DRAIN_SECONDS: '3', STRANGLER_MAX_SYNC_LAG_SECONDS: '120' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      cli.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      cli.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let gone = false;
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        cli.on('exit', (_code, signal) => {
          gone = true;
          resolve(signal);
        }),
      );
      try {
        await waitFor('the CLI to raise its fence', async () => {
          if (gone) throw new Error('the CLI exited before raising its fence');
          return (await fenceOf(edge.url)).raised;
        }, 30_000).catch((error: Error) => {
          throw new Error(`${error.message}; the CLI said: ${output}`);
        });
      } finally {
        cli.kill('SIGKILL');
      }
      expect(await exited).toBe('SIGKILL');
      const fenced = await call('POST', '/api/payments', { token: user.token, key: 'K-KILLED-2', body: { amount: '2.00', currency: 'USD' } });
      expect([fenced.status, fenced.body.code]).toEqual([503, 'WRITE_FENCED']);
      expect(Number(fenced.retryAfter)).toBeGreaterThanOrEqual(1);
      const status = await strangler(['status', 'payments'], env);
      expect(status.out).toMatch(/writes are fenced \(held by strangler-[0-9a-f]+\)/);
      // TTL = drain 3 s + wait 1 s + 5 s: gone by itself, writes flow, the flag never moved.
      await waitFor('the dead CLI’s fence to expire', async () => !(await fenceOf(edge.url)).raised, 15_000);
      expect((await call('POST', '/api/payments', { token: user.token, key: 'K-KILLED-2', body: { amount: '2.00', currency: 'USD' } })).status).toBe(201);
      expect(paymentsStage()).toBe('live');
    });
  });


  // Runs before the other breaks: a forward flip's verify fails on the conflicts they leave.
  // The mirror image (forward flip): the monolith freezes holding a keyed payment; the edge gives up
  // on it; `flip --stage live --percent 100` drains nothing and moves the writes to the service; the
  // retry is done by the service; the monolith thaws and does the first attempt.
  describe('red team: a forward flip while the frozen monolith still holds a keyed write the edge gave up on', () => {
    it('the retried Idempotency-Key gets a second payment from the service once the monolith thaws', async () => {
      await setPayments('monolith', 100);
      const user = await register();
      await caughtUp();
      const frozenMonolith = await FreezableProxy.start(monolith.url);
      const routes = JSON.parse(readFileSync(routesFile, 'utf8')) as { monolith: { url: string } };
      const routesVia = async (url: string) => {
        atomicWrite(routesFile, JSON.stringify({ ...routes, monolith: { url } }));
        await waitFor('the edge to reload its routes', async () => ((await (await fetch(`${edge.url}/_edge/routes`)).json()) as { monolith: { url: string } }).monolith.url === url);
      };
      await routesVia(frozenMonolith.url);
      try {
        frozenMonolith.freeze();
        const first = await call('POST', '/api/payments', { token: user.token, key: 'K-MIRROR', body: { amount: '8.00', currency: 'USD' } });
        expect(first.status).toBeGreaterThanOrEqual(500);
        const flip = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '100'], env);
        // The test's own isolation: verify must not refuse for data another test left behind (this runs first for that).
        expect(flip.out).not.toMatch(/FAIL\s+verify/);
        sync.control.pause();
        const retry = await call('POST', '/api/payments', { token: user.token, key: 'K-MIRROR', body: { amount: '8.00', currency: 'USD' } });
        frozenMonolith.thaw();
        await answeredAll(frozenMonolith, 'monolith');
        const doneByMonolith = (await keyedPaymentBy(sides.monolith, user.userId)) ?? (retry.status === 201 ? (retry.body.payment.id as string) : undefined);
        sync.control.resume();
        const held = await paymentIdsOnBothSides(user.userId);
        // Observed on 605cce4: flip exit 0, the retry 201 from the service with a new id, then two payments for the key on both sides.
        expect({ flipExit: flip.code, retry: retry.status === 201 ? { target: retry.target, id: retry.body.payment.id } : retry.status, sides: held }).toEqual({
          flipExit: flip.code,
          retry: retry.status === 201 ? { target: retry.target, id: doneByMonolith } : retry.status,
          sides: { monolith: once(doneByMonolith), service: once(doneByMonolith) },
        });
      } finally {
        frozenMonolith.thaw();
        await routesVia(monolith.url);
        await frozenMonolith.stop();
      }
    });
  });

  // Edge gave up on a keyed write in a frozen service (503 after its deadline), so its in-flight count
  // is zero; the rollback's drain and backlog see nothing (the service has not committed); the flag
  // moves to the monolith; the client's retry of the same key is done by the monolith; the service
  // thaws and does the first attempt too. Issue #12 asks: "a keyed write that may have reached the
  // service is never re-run on the monolith while the service could still complete it".
  describe('red team: a rollback while the frozen service still holds a keyed write the edge gave up on', () => {
    it('the retried Idempotency-Key gets a second payment from the monolith once the service thaws', async () => {
      await setPayments('live', 100);
      const user = await register();
      await caughtUp();
      frozen.freeze();
      const first = await call('POST', '/api/payments', { token: user.token, key: 'K-FROZEN', body: { amount: '20.00', currency: 'USD' } });
      expect([first.status, first.body.code]).toEqual([503, 'EDGE_SERVICE_UNAVAILABLE']);

      // The operator's reflex with a service that stopped answering.
      const rollback = await strangler(['rollback', 'payments'], env);
      sync.control.pause();
      const retry = await call('POST', '/api/payments', { token: user.token, key: 'K-FROZEN', body: { amount: '20.00', currency: 'USD' } });
      // SIGCONT while the sync lags (SIGUSR1; a rollback gates on to-monolith only): the service reads
      // its socket before the monolith's record of the key reaches it.
      frozen.thaw();
      await answeredAll(frozen, 'service');
      const doneByService = (await keyedPaymentBy(sides.payments, user.userId)) ?? (retry.status === 201 ? (retry.body.payment.id as string) : undefined);
      sync.control.resume();
      const held = await paymentIdsOnBothSides(user.userId);
      // Observed on 605cce4: rollback exit 0, retry 201 from the monolith with a new id, and after the
      // sync both databases hold two payments for the one key.
      expect({ rollbackExit: rollback.code, retry: retry.status === 201 ? { target: retry.target, id: retry.body.payment.id } : retry.status, sides: held }).toEqual({
        rollbackExit: rollback.code,
        retry: retry.status === 201 ? { target: retry.target, id: doneByService } : retry.status,
        sides: { monolith: once(doneByService), service: once(doneByService) },
      });
    });

    it('same with a client that hangs up (its fetch aborted) instead of waiting for the edge’s 503', async () => {
      await setPayments('live', 100);
      const user = await register();
      await caughtUp();
      frozen.freeze();
      const abort = new AbortController();
      const first = call('POST', '/api/payments', { token: user.token, key: 'K-HANGUP', body: { amount: '5.00', currency: 'USD' }, signal: abort.signal }).catch((error: Error) => error.name);
      await waitFor('the write to be in flight on the edge', async () => (await awaitingOnEdge(edge.url)) === 1);
      abort.abort();
      expect(await first).toBe('AbortError');
      const rollback = await strangler(['rollback', 'payments'], env);
      sync.control.pause();
      const retry = await call('POST', '/api/payments', { token: user.token, key: 'K-HANGUP', body: { amount: '5.00', currency: 'USD' } });
      // SIGCONT while the sync lags (SIGUSR1; a rollback gates on to-monolith only): the service reads
      // its socket before the monolith's record of the key reaches it.
      frozen.thaw();
      await answeredAll(frozen, 'service');
      const doneByService = (await keyedPaymentBy(sides.payments, user.userId)) ?? (retry.status === 201 ? (retry.body.payment.id as string) : undefined);
      sync.control.resume();
      const held = await paymentIdsOnBothSides(user.userId);
      expect({ rollbackExit: rollback.code, retry: retry.status === 201 ? { target: retry.target, id: retry.body.payment.id } : retry.status, sides: held }).toEqual({
        rollbackExit: rollback.code,
        retry: retry.status === 201 ? { target: retry.target, id: doneByService } : retry.status,
        sides: { monolith: once(doneByService), service: once(doneByService) },
      });
    });
  });

  // Issue #12 B through the same gap: the frozen service holds a refund of 15.00 on a 20.00 capture;
  // the edge gives up (503); the rollback finds nothing in flight and nothing in the changelog; a
  // second refund of 15.00 goes to the monolith, which has not seen the first (it has not happened
  // yet); the service thaws and does the first. Both sides end with 30.00 refunded against 20.00.
  describe('red team: refunds above the capture across a rollback while the frozen service holds a refund', () => {
    it('keeps refunds within the capture, and each payment row agreeing with its refunds, on both sides', async () => {
      await setPayments('live', 100);
      const user = await register();
      const payment = await call('POST', '/api/payments', { token: user.token, key: 'K-REFUND', body: { amount: '20.00', currency: 'USD' } });
      expect((await call('POST', `/api/payments/${payment.body.payment.id}/capture`, { token: user.token, body: {} })).status).toBe(200);
      await caughtUp();
      frozen.freeze();
      const first = await call('POST', `/api/payments/${payment.body.payment.id}/refunds`, { token: user.token, body: { amount: '15.00' } });
      expect([first.status, first.body.code]).toEqual([503, 'EDGE_SERVICE_UNAVAILABLE']);
      const rollback = await strangler(['rollback', 'payments'], env);
      sync.control.pause();
      const second = await call('POST', `/api/payments/${payment.body.payment.id}/refunds`, { token: user.token, body: { amount: '15.00' } });
      frozen.thaw();
      // The thawed service does the first refund, or refuses it as past the edge's deadline (decision 0038).
      await answeredAll(frozen, 'service');
      sync.control.resume();
      await caughtUp().catch(() => undefined);
      const seen: unknown[] = [];
      for (const [side, db, minor] of [['monolith', sides.monolith, false], ['service', sides.payments, true]] as const) {
        const row = await db.knex('payments').where({ id: payment.body.payment.id }).first();
        const refunds = await db.knex('refunds').where({ payment_id: payment.body.payment.id });
        const toMinor = (v: string | number) => (minor ? Number(v) : Math.round(Number(v) * 100));
        const refunded = refunds.reduce((sum: number, r: { amount?: string; amount_minor?: number }) => sum + toMinor((minor ? r.amount_minor : r.amount)!), 0);
        seen.push({ side, captured: toMinor(minor ? row.captured_minor : row.captured_amount), refunds: refunded, row: toMinor(minor ? row.refunded_minor : row.refunded_amount) });
      }
      // Observed on 605cce4: rollback exit 0, the second refund 201 on the monolith, then on both
      // sides refunds of 3000 against a capture of 2000 (the row saying 1500).
      expect({ rollbackExit: rollback.code, second: [second.status, second.target], seen }).toEqual({
        rollbackExit: rollback.code,
        second: [second.status, second.target],
        seen: seen.map((s) => ({ ...(s as object), refunds: Math.min((s as { refunds: number }).refunds, 2000), row: Math.min((s as { refunds: number }).refunds, 2000) })),
      });
    });
  });

  // The edge keeps its fences in memory. Restarted while the CLI is inside the switch, it comes back
  // unfenced and still routing by the old flag; the CLI never looks at the fence again (it only polls
  // in-flight counts, then the changelogs), writes the flag, sees the edge route by it, and reports a
  // clean switch. A write the restarted edge let through to the old writer just after the backlog read
  // is never drained: its retry is done again by the new writer.
  describe('red team: an edge restarted in the middle of a switch comes back without its fence', () => {
    it('a keyed payment taken by the restarted edge on the old writer is done again on the monolith after the rollback', async () => {
      await setPayments('live', 100);
      const user = await register();
      await caughtUp();
      let restarted = false;
      let first: Awaited<ReturnType<typeof call>> | undefined;
      let fenceAfterRestart: boolean | undefined;
      const backlogAcrossRestart = async (capability: string) => {
        // Inside the switch (the gates read the backlog too, before any fence): the edge restarts.
        if (!restarted && (await fenceOf(edge.url)).raised) {
          restarted = true;
          await edge.stop();
          edge = await bootEdge(EDGE_PORT);
          fenceAfterRestart = (await fenceOf(edge.url)).raised;
        }
        const outcome = await backlogWithEngine(capability, sides.env);
        // Right after the changelog read, while the CLI goes on to write the flag: the sync lags
        // (SIGUSR1, within the gates' bound) and a client's keyed payment reaches the restarted edge.
        if (restarted && !first) {
          sync.control.pause();
          first = await call('POST', '/api/payments', { token: user.token, key: 'K-RESTART', body: { amount: '9.00', currency: 'USD' } });
        }
        return outcome;
      };
      const rollback = await strangler(['rollback', 'payments'], env, { backlog: backlogAcrossRestart });
      const retry = await call('POST', '/api/payments', { token: user.token, key: 'K-RESTART', body: { amount: '9.00', currency: 'USD' } });
      sync.control.resume();
      const held = await paymentIdsOnBothSides(user.userId);
      // Observed on 605cce4: the restarted edge had no fence (raised: false), took the payment on the
      // service (201), the rollback exited 0 ("every edge routes by it"), and the retry was a NEW payment
      // on the monolith: two payments for one key on both sides.
      expect({
        fenceAfterRestart,
        outcome:
          first!.status === 201 ? { rollbackExit: rollback.code, retryId: retry.status === 201 ? retry.body.payment.id : retry.status, sides: held } : 'refused',
      }).toEqual({
        fenceAfterRestart: true,
        outcome: first!.status === 201 ? { rollbackExit: rollback.code, retryId: first!.body.payment.id, sides: { monolith: [first!.body.payment.id], service: [first!.body.payment.id] } } : 'refused',
      });
    });
  });

  // Decision 0038's known limit (closed by its amendment): an edge that crashed forgot the writes it had
  // given up on, so a switch started right after its restart saw nothing to drain and moved the flag
  // while the frozen old writer could still do the write. The edge keeps them in EDGE_FENCE_FILE.
  describe('red team (holds): an edge restarted right after giving up on a write, before the switch', () => {
    it('the rollback started after the restart waits for the restored in-doubt write and is refused; the flag stays', async () => {
      await setPayments('live', 100);
      const user = await register();
      await caughtUp();
      frozen.freeze();
      const first = await call('POST', '/api/payments', { token: user.token, key: 'K-CRASHED', body: { amount: '4.00', currency: 'USD' } });
      expect([first.status, first.body.code]).toEqual([503, 'EDGE_SERVICE_UNAVAILABLE']);
      // On disk as the edge gave up (no graceful stop needed): a crash from here on keeps it.
      const fenceFile = path.join(dir, `fences-${EDGE_PORT}.json`);
      expect(JSON.parse(readFileSync(fenceFile, 'utf8')).doubts).toEqual([{ capability: 'payments', count: 1, until: expect.any(Number) }]);
      await edge.stop();
      edge = await bootEdge(EDGE_PORT);
      expect(await fenceOf(edge.url)).toMatchObject({ raised: false, inFlightWrites: 1, inDoubtWrites: 1 });

      // Before the amendment: exit 0, the flag at monolith, and the thawed service still able to do K-CRASHED.
      const rollback = await strangler(['rollback', 'payments'], env);
      expect(rollback.code).toBe(4);
      expect(rollback.err + rollback.out).toMatch(/1 write\(s\) still in flight on the edges \(1 in doubt/);
      expect(paymentsStage()).toBe('live');
      expect((await fenceOf(edge.url)).raised).toBe(false);
      frozen.thaw();
      await answeredAll(frozen, 'service');
      // The thawed service refused it (past its deadline) or did it, once; the sync carries that one across.
      const doneByService = await keyedPaymentBy(sides.payments, user.userId);
      expect(await paymentIdsOnBothSides(user.userId)).toEqual({ monolith: once(doneByService), service: once(doneByService) });
    });
  });

  // Decision 0038, amendment 2: a write still awaiting its answer when the edge crashed (sent, not given
  // up on) was in no file, so a switch started right after the restart drained nothing and moved the flag
  // while the frozen old writer held the write. The crash is the file as a SIGKILL at that moment leaves it
  // (the edge's graceful stop here would give the write up and record a clean stop, so the file is put
  // back); edge/test/write-doubts-crash.process.test.ts does it with a real SIGKILL.
  describe('red team (holds): an edge that crashed with a write in flight, before the switch', () => {
    it('the rollback started after the restart waits for the unclean stop’s writes in doubt and is refused; the flag stays', async () => {
      // Every write's deadline at most 3 s: how long the restarted edge holds them in doubt (plus 2 s).
      const shortDeadlines = { UPSTREAM_TOTAL_TIMEOUT_MS: '3000' };
      await edge.stop();
      edge = await bootEdge(EDGE_PORT, flagsFile, shortDeadlines);
      try {
        await setPayments('live', 100);
        const user = await register();
        await caughtUp();
        frozen.freeze();
        const first = call('POST', '/api/payments', { token: user.token, key: 'K-IN-FLIGHT', body: { amount: '4.00', currency: 'USD' } }).catch(() => undefined);
        await waitFor('the payment to be awaiting its answer on the edge', async () => (await awaitingOnEdge(edge.url)) === 1, 5_000);
        const fenceFile = path.join(dir, `fences-${EDGE_PORT}.json`);
        const atCrash = readFileSync(fenceFile, 'utf8');
        expect(JSON.parse(atCrash)).toMatchObject({ doubts: [], running: { wrote: expect.arrayContaining(['payments']) } });
        await edge.stop();
        await first;
        // The stopped edge's last saves (the write given up on as its connections closed) are over.
        await new Promise((resolve) => setTimeout(resolve, 300));
        writeFileSync(fenceFile, atCrash);
        const started = Date.now();
        edge = await bootEdge(EDGE_PORT, flagsFile, shortDeadlines);
        const after = await fenceOf(edge.url);
        expect(after).toMatchObject({ raised: false, inFlightWrites: 1, inDoubtWrites: 1 });
        expect((after as { inDoubtUntil?: number }).inDoubtUntil).toBeGreaterThanOrEqual(started + 5_000);

        // Before the amendment: exit 0 and the flag at monolith while the frozen service held K-IN-FLIGHT.
        const rollback = await strangler(['rollback', 'payments'], env);
        expect(rollback.code).toBe(4);
        expect(rollback.err + rollback.out).toMatch(/1 write\(s\) still in flight on the edges \(1 in doubt/);
        expect(paymentsStage()).toBe('live');
        frozen.thaw();
        await answeredAll(frozen, 'service');
        const doneByService = await keyedPaymentBy(sides.payments, user.userId);
        expect(await paymentIdsOnBothSides(user.userId)).toEqual({ monolith: once(doneByService), service: once(doneByService) });
      } finally {
        frozen.thaw();
        await edge.stop();
        edge = await bootEdge(EDGE_PORT);
      }
    });
  });

  // A fence's in-flight count includes unkeyed writes streamed to the upstream as their body arrives.
  // A client that trickles a body (within the edge's 10 s grace and 1 KiB/s minimum rate) keeps the
  // count above zero for as long as it likes, so every rollback is refused: one slow client blocks the
  // operator's emergency path (only --force, with no fence at all, gets through).
  describe('red team: a client trickling an unkeyed write body blocks every rollback', () => {
    it('the rollback is refused as "1 write(s) still in flight" for as long as the body trickles', async () => {
      await setPayments('live', 100);
      const user = await register();
      const payment = await call('POST', '/api/payments', { token: user.token, key: 'K-TRICKLE', body: { amount: '3.00', currency: 'USD' } });
      await caughtUp();
      const body = '{"note":"' + 'x'.repeat(40) + '"}';
      const slow = trickle(
        edge.url,
        requestHead('POST', `/api/payments/${payment.body.payment.id}/capture`, { authorization: `Bearer ${user.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        'x',
        250,
        30,
      );
      try {
        await waitFor('the trickled write to count as in flight', async () => (await awaitingOnEdge(edge.url)) === 1);
        const rollback = await strangler(['rollback', 'payments'], env);
        // Observed on 605cce4: exit 4, "FAIL write fence  writes did not drain within 1 s: 1 write(s) still in flight on the edges".
        expect({ exit: rollback.code, stage: paymentsStage(), refusal: /FAIL\s+write fence\s+(.*)/.exec(rollback.out)?.[1] }).toEqual({ exit: 0, stage: 'monolith', refusal: undefined });
      } finally {
        slow.socket.destroy();
      }
    });
  });

  // An edge that did not confirm the new flag "kept its fence until it expired" (decision 0018); then
  // it lets writes through to the old writer while the other edges send them to the new one. Here the
  // second edge reads another flags file (a stale copy; with Unleash: an edge cut off from it).
  // `strangler status` reads EDGE_URL only (collectStatus in cli/src/commands/status-report.ts), while
  // flips fence and confirm on every edge of EDGE_URLS: the edge that did not confirm, still routing by
  // the old flag and holding the fence the flip left on it, is invisible to status.
  /**
   * A second edge on the same flags file that does not apply a change for 10 minutes (its file watch
   * debounced): one that never confirms. (The red team's own edge read another flags file; since
   * 4331e30 a flip refuses, exit 2, an edge reading flags from elsewhere, so it never got this far.)
   */
  const staleEdge = () => bootEdge(0, flagsFile, { FILE_WATCH_DEBOUNCE_MS: '600000' });

  describe('red team: status shows only EDGE_URL, not the edges of EDGE_URLS a flip left fenced or stale', () => {
    it('after a rollback not confirmed by the second edge, status names that edge’s fence and stage', async () => {
      await setPayments('live', 100);
      const other = await staleEdge();
      try {
        const edges = { ...env, EDGE_URLS: `${edge.url},${other.url}` };
        const rollback = await strangler(['rollback', 'payments', '--wait', '1'], edges);
        expect(rollback.code).toBe(1);
        expect((await fenceOf(other.url)).raised).toBe(true);
        const status = await strangler(['status', 'payments'], edges);
        // Observed on 605cce4: "fence down" for EDGE_URL, no word of the other edge, its fence or its live 100%.
        expect(status.out).toContain(other.url);
        expect(status.out).toMatch(/writes are fenced/);
      } finally {
        await other.stop();
      }
    });
  });

  describe('red team: an edge that never confirms the flip loses its fence by time and becomes a second writer', () => {
    // Fixed by decision 0039: once the flag is written, each edge's hold lifts only when that edge routes
    // by it. The red team's version waited for the stale edge's fence to expire by time; it no longer
    // does, so this waits past the hold's TTL instead and checks the stale edge still refuses.
    it('past the fence’s TTL, the stale edge still refuses the capability’s writes: the key is done once', async () => {
      await setPayments('live', 100);
      const other = await staleEdge();
      try {
        const user = await register();
        await caughtUp();
        const rollback = await strangler(['rollback', 'payments', '--wait', '1'], { ...env, EDGE_URLS: `${edge.url},${other.url}` });
        expect(rollback.code).toBe(1);
        expect(rollback.out).toMatch(/did not route by it .*fence stays up until it does/);
        // The hold's TTL (1 + 1 + 5 s) passes by the edge's own account; the fence stays.
        const ttlEnds = Math.max(...((await fenceOf(other.url)).holds as Array<{ expiresAt: number }>).map((h) => h.expiresAt));
        await waitFor('the stale edge’s hold to pass its TTL', async () => Date.now() > ttlEnds + 1_000, 15_000);
        expect((await fenceOf(other.url)).raised).toBe(true);
        sync.control.pause();
        const viaStale = await call('POST', '/api/payments', { token: user.token, key: 'K-SPLIT', body: { amount: '4.00', currency: 'USD' }, via: other.url });
        const viaOther = await call('POST', '/api/payments', { token: user.token, key: 'K-SPLIT', body: { amount: '4.00', currency: 'USD' } });
        sync.control.resume();
        expect([viaStale.status, viaStale.body?.code]).toEqual([503, 'WRITE_FENCED']);
        // Observed on 605cce4: 201 from the service through the stale edge, then 201 with a NEW id from
        // the monolith through the other: two writers for one capability, two payments for one key.
        const answers = [viaStale, viaOther].map((a) => [a.status, a.target, a.status === 201 ? a.body.payment.id : a.body?.code]);
        const paymentsForKey = new Set([viaStale, viaOther].filter((a) => a.status === 201).map((a) => a.body.payment.id)).size;
        expect({ atMostOnePaymentForTheKey: paymentsForKey <= 1, answers }).toEqual({ atMostOnePaymentForTheKey: true, answers });
      } finally {
        await other.stop();
      }
    });
  });

});
