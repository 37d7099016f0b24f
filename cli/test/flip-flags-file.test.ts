import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { engineTransaction, type RunningSyncService } from '@strangler/data-engine';
import { startTestEdge, standardRoutes, closedPortUrl, startUpstream, type TestEdge, type TestUpstream } from '@strangler/edge/testing';
import { createDataSides, startSyncWorker, strangler, waitFor, type DataSides } from './support/cli-harness';

jest.setTimeout(60_000);

/**
 * `strangler flip` / `rollback` / `status` against a real edge on its local flags file, real sync
 * workers and the data engine's verify on real (SQLite) databases. Upstreams are stubs: what matters
 * here is which side the edge picks, and that the data gates refuse for the right reasons.
 */
describe('strangler on the local flags file', () => {
  let sides: DataSides;
  let syncAuth: RunningSyncService;
  let syncPayments: RunningSyncService;
  let upstreams: Record<'monolith' | 'auth' | 'payments', TestUpstream>;
  let edge: TestEdge;
  let env: Record<string, string>;
  let flagsFile: string;

  beforeAll(async () => {
    sides = await createDataSides('sqlite');
    [syncAuth, syncPayments] = await Promise.all([startSyncWorker(sides, 'auth'), startSyncWorker(sides, 'payments')]);
    upstreams = {
      monolith: await startUpstream({ name: 'monolith' }),
      auth: await startUpstream({ name: 'auth' }),
      payments: await startUpstream({ name: 'payments' }),
    };
    edge = await startTestEdge({ routes: standardRoutes({ monolith: upstreams.monolith.url, auth: upstreams.auth.url, payments: upstreams.payments.url }) });
    flagsFile = path.join(edge.dir, 'flags.json');
    env = {
      EDGE_URL: edge.url,
      FLAGS_FILE: flagsFile,
      MANIFESTS_DIR: edge.manifestsDir,
      SYNC_URLS: `${syncAuth.url},${syncPayments.url}`,
      ...sides.env,
    };
  });

  afterAll(async () => {
    await edge?.stop();
    await Promise.all(Object.values(upstreams ?? {}).map((u) => u.stop()));
    await Promise.all([syncAuth?.stop(), syncPayments?.stop()]);
    await sides?.close();
  });

  beforeEach(() => {
    edge.setFlags([
      { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
      { capability: 'payments', enabled: false, stage: 'monolith', rollout: 0 },
    ]);
  });

  async function servedBy(method: string, url: string): Promise<string | null> {
    const response = await fetch(`${edge.url}${url}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
    await response.arrayBuffer();
    return response.headers.get('x-upstream');
  }

  const flags = () => JSON.parse(readFileSync(flagsFile, 'utf8')) as { features: Array<{ name: string; enabled: boolean; strategies: any[] }> };
  const paymentsFlag = () => flags().features.find((f) => f.name === 'strangler.payments')!;

  it('flips payments through live, reads and back: the edge routes by each change, the gates say what they checked', async () => {
    await waitFor('the edge to load the reset flags', async () => (await servedBy('GET', '/api/payments')) === 'monolith');
    const live = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '100'], env);
    expect(live.err).toBe('');
    expect(live.code).toBe(0);
    expect(live.out).toMatch(/payments: monolith → live 100%/);
    expect(live.out).toMatch(/ok\s+sync to-service/);
    expect(live.out).toMatch(/ok\s+sync to-monolith/);
    expect(live.out).toMatch(/ok\s+verify\s+both sides equal/);
    expect(live.out).toMatch(/every edge routes by it/);
    expect(live.out).toMatch(/write fence on 1 edge\(s\): writes paused/);
    expect(await servedBy('GET', '/api/payments')).toBe('payments');
    expect(await servedBy('POST', '/api/payments')).toBe('payments');
    expect(await servedBy('POST', '/api/auth/login')).toBe('monolith');

    const reads = await strangler(['flip', 'payments', '--stage', 'reads'], env);
    expect(reads.code).toBe(0);
    expect(reads.out).toMatch(/live 100% → reads 100%/);
    expect(await servedBy('GET', '/api/payments')).toBe('payments');
    expect(await servedBy('POST', '/api/payments')).toBe('monolith');

    const back = await strangler(['rollback', 'payments'], env);
    expect(back.code).toBe(0);
    expect(back.out).toMatch(/reads 100% → monolith/);
    expect(await servedBy('GET', '/api/payments')).toBe('monolith');
    // Rolled back: off, stage monolith, the percentage kept for the next flip.
    const flag = paymentsFlag();
    expect(flag.enabled).toBe(false);
    expect(flag.strategies[0].parameters.rollout).toBe('100');
    expect(JSON.parse(flag.strategies[0].variants[0].payload.value)).toEqual({ stage: 'monolith' });

    const again = await strangler(['flip', 'payments', '--stage', 'live'], env);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/monolith → live 100%/);
    expect(await servedBy('POST', '/api/payments')).toBe('payments');
  });

  it('keeps the file’s layout and other flags, and writes it atomically', async () => {
    const before = readFileSync(flagsFile, 'utf8');
    const pretty = `${JSON.stringify(JSON.parse(before), null, 4)}\n`;
    writeFileSync(flagsFile, pretty);
    const result = await strangler(['flip', 'auth', '--stage', 'shadow', '--percent', '5', '--wait', '5'], env);
    expect(result.code).toBe(0);
    const after = readFileSync(flagsFile, 'utf8');
    expect(after).toMatch(/^\{\n {4}"version": 2,/);
    expect(after.endsWith('}\n')).toBe(true);
    const document = JSON.parse(after);
    expect(document.features.find((f: { name: string }) => f.name === 'strangler.payments')).toEqual(JSON.parse(pretty).features.find((f: { name: string }) => f.name === 'strangler.payments'));
    const auth = document.features.find((f: { name: string }) => f.name === 'strangler.auth');
    expect(auth.enabled).toBe(true);
    expect(auth.strategies[0].parameters).toEqual({ rollout: '5', stickiness: 'default', groupId: 'auth', flipGeneration: '1', flipApproval: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(auth.strategies[0].variants).toHaveLength(1);
  });

  it('nothing to change is said, exit 0, only the flag’s generation bumped (a flip in flight must not write after it)', async () => {
    const before = paymentsFlag();
    const result = await strangler(['rollback', 'payments'], env);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/payments: already monolith .*nothing to change \(generation bumped to 1/);
    const after = paymentsFlag();
    expect(after.strategies[0].parameters).toEqual({ ...before.strategies[0].parameters, flipGeneration: '1', flipApproval: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect({ ...after, strategies: [] }).toEqual({ ...before, strategies: [] });
  });

  it('refuses when no sync worker runs the direction the stage needs, and names what it found', async () => {
    const before = readFileSync(flagsFile, 'utf8');
    const closed = await closedPortUrl();
    const result = await strangler(['flip', 'payments', '--stage', 'shadow', '--percent', '10'], { ...env, SYNC_URLS: `${syncAuth.url},${closed}` });
    expect(result.code).toBe(4);
    expect(result.out).toMatch(/REFUSED, nothing was changed/);
    expect(result.out).toContain('FAIL  sync to-service');
    expect(result.out).toContain(`no sync worker runs payments to-service (SYNC_URLS: ${syncAuth.url} runs auth to-service, auth to-monolith; ${closed} unreachable)`);
    expect(result.out).toMatch(/needed because shadow compares the service’s answers/);
    expect(result.out).toMatch(/--force/);
    expect(readFileSync(flagsFile, 'utf8')).toBe(before);
  });

  it('refuses leaving live when the service → monolith sync lags: users moving back would miss their writes', async () => {
    edge.setFlags([
      { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
      { capability: 'payments', enabled: true, stage: 'live', rollout: 50 },
    ]);
    syncPayments.control.pause();
    try {
      await sides.payments.knex('payments').insert(servicePayment());
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const result = await strangler(['rollback', 'payments', '--max-lag', '1', '--json'], env);
      expect(result.code).toBe(4);
      const json = result.json();
      expect(json).toMatchObject({ ok: false, refused: true, changed: false, capability: 'payments', from: { stage: 'live', percentage: 50 }, to: { stage: 'monolith', percentage: 50 } });
      expect(json.checks).toEqual([
        {
          check: 'sync to-monolith',
          ok: false,
          why: 'users moved back to the monolith must find what they wrote on the service',
          detail: expect.stringMatching(/^lagging: the oldest unapplied change is \d+\.\d s old \(bound 1 s; 1 pending; worker http/),
        },
      ]);
      // status says the lag is past the edge's read-your-writes window (5 s by default; 1 s here).
      const edgeWindow = await startTestEdge({
        routes: standardRoutes({ monolith: upstreams.monolith.url, auth: upstreams.auth.url, payments: upstreams.payments.url }),
        flags: [{ capability: 'payments', enabled: true, stage: 'live', rollout: 50 }],
        env: { READ_YOUR_WRITES_MS: '1000' },
      });
      try {
        const status = await strangler(['status', 'payments', '--json'], { ...env, EDGE_URL: edgeWindow.url });
        expect(status.code).toBe(1);
        expect(status.json().edge.readYourWritesMs).toBe(1_000);
        expect(status.json().problems).toEqual([expect.stringMatching(/^payments: sync to-monolith is \d+\.\d s behind, more than the edge's read-your-writes window \(1 s\)/)]);
        const text = await strangler(['status', 'payments'], { ...env, EDGE_URL: edgeWindow.url });
        expect(text.out).toContain('read-your-writes for 1 s after a caller\'s write');
      } finally {
        await edgeWindow.stop();
      }
    } finally {
      syncPayments.control.resume();
    }
    await waitFor('the backlog to drain', async () => (await strangler(['rollback', 'payments', '--max-lag', '1', '--json'], env)).code === 0);
    expect(paymentsFlag().enabled).toBe(false);
  });

  it('refuses moving more users to the service while the databases differ, and --force overrides, saying so', async () => {
    const payment = servicePayment();
    await sides.payments.knex('payments').insert(payment);
    await waitFor('the payment to reach the monolith', async () => Boolean(await sides.monolith.knex('payments').where({ id: payment.id }).first()));
    // A change that bypassed capture (a manual fix, say): only verify can see it.
    await engineTransaction(sides.payments.knex, (trx) => trx('payments').where({ id: payment.id }).update({ description: 'edited behind the sync' }));
    try {
      const refused = await strangler(['flip', 'payments', '--stage', 'reads', '--percent', '10'], env);
      expect(refused.code).toBe(4);
      expect(refused.out).toMatch(/ok\s+sync to-service/);
      expect(refused.out).toMatch(new RegExp(`FAIL\\s+verify\\s+the sides differ — payments: 1 \\(first: different \\["${payment.id}"\\]\\)`));

      const forced = await strangler(['flip', 'payments', '--stage', 'reads', '--percent', '10', '--force', '--json'], env);
      expect(forced.code).toBe(0);
      expect(forced.json()).toMatchObject({
        ok: true,
        changed: true,
        forced: true,
        checks: [
          { check: 'sync to-service', skipped: true, detail: 'skipped (--force)' },
          { check: 'verify', skipped: true },
        ],
        edge: { confirmed: true },
      });
    } finally {
      await engineTransaction(sides.payments.knex, (trx) => trx('payments').where({ id: payment.id }).update({ description: 'drill' }));
    }
  });

  it('status --json: stage, shares, sides, breaker and both sync directions per capability', async () => {
    edge.setFlags([
      { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
      { capability: 'payments', enabled: true, stage: 'live', rollout: 100 },
    ]);
    await waitFor('payments on the service', async () => (await servedBy('GET', '/api/payments')) === 'payments');
    for (let i = 0; i < 5; i++) await servedBy('GET', '/api/payments');
    const result = await strangler(['status', '--json'], env);
    expect(result.code).toBe(0);
    const report = result.json();
    expect(report.edge).toMatchObject({ url: edge.url, reachable: true, flagSource: { kind: 'local-file', ready: true } });
    const payments = report.capabilities.find((c: { capability: string }) => c.capability === 'payments');
    expect(payments).toMatchObject({
      flag: 'strangler.payments',
      stage: 'live',
      percentage: 100,
      readsPercent: 100,
      writesPercent: 100,
      shadow: false,
      breaker: 'closed',
      fallbacks: {},
      mismatches: { compared: 0, mismatched: 0, rate: null },
    });
    expect(payments.sides.service.requests).toBeGreaterThanOrEqual(5);
    expect(payments.sides.service.errorRate).toBe(0);
    expect(payments.sides.service.p99Ms).toEqual(expect.any(Number));
    expect(payments.sync.map((s: { direction: string }) => s.direction).sort()).toEqual(['to-monolith', 'to-service']);
    expect(payments.sync[0]).toMatchObject({ url: syncPayments.url, ready: true, lagSeconds: expect.any(Number), pending: expect.any(Number) });
    expect(report.syncWorkers).toEqual([
      { url: syncAuth.url, reachable: true, ready: true, runs: ['auth to-service', 'auth to-monolith'] },
      { url: syncPayments.url, reachable: true, ready: true, runs: ['payments to-service', 'payments to-monolith'] },
    ]);

    const text = await strangler(['status', 'payments'], env);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^payments {2}live 100% {2}\(flag strangler\.payments, enabled\)$/m);
    expect(text.out).toMatch(/routing {3}reads 100% → service, writes 100% → service, shadow off/);
    expect(text.out).not.toMatch(/^auth /m);
  });

  it('status exits 1 when a part cannot be reached, and still shows the rest', async () => {
    const closed = await closedPortUrl();
    const result = await strangler(['status', '--json'], { ...env, SYNC_URLS: `${syncPayments.url},${closed}` });
    expect(result.code).toBe(1);
    const report = result.json();
    expect(report.capabilities).toHaveLength(2);
    expect(report.problems).toEqual([expect.stringContaining(`cannot reach a sync worker at ${closed}/metrics`)]);

    const noEdge = await strangler(['status'], { ...env, EDGE_URL: closed });
    expect(noEdge.code).toBe(1);
    expect(noEdge.out).toContain(`edge ${closed}  UNREACHABLE`);
    expect(noEdge.out).toMatch(/cannot reach the edge at .*ECONNREFUSED/);
  });

  it('a flip the edge cannot be seen applying is written, and exits 1 saying so', async () => {
    const result = await strangler(['flip', 'payments', '--stage', 'shadow', '--percent', '10', '--wait', '1'], { ...env, EDGE_URL: await closedPortUrl() });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/written, but not confirmed by the edge: cannot reach the edge .* after 1 s/);
    expect(paymentsFlag().enabled).toBe(true);
  });

  it('delegates the data commands to the engine, under `data` and as shorthands', async () => {
    const status = await strangler(['data', 'status', 'payments', '--json'], env);
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({ capability: 'payments', capture: { monolith: { installed: true }, service: { installed: true } } });
    const verify = await strangler(['verify', 'auth'], env);
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/^verify auth: EQUAL/);
    const help = await strangler(['data', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: strangler data <command> <capability>/);
    const bad = await strangler(['backfill', 'orders'], env);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown capability "orders".*\n\(strangler data --help for usage\)/);
  });
});

function servicePayment() {
  const now = new Date();
  return {
    id: randomUUID(),
    user_id: randomUUID(),
    order_id: null,
    amount_minor: 1999,
    currency: 'USD',
    status: 'authorized',
    description: 'drill',
    captured_minor: 0,
    refunded_minor: 0,
    created_at: now,
    updated_at: now,
  };
}
