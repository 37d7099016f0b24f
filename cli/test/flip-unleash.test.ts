import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresAvailable } from '@strangler/kit/testing';
import type { RunningSyncService } from '@strangler/data-engine';
import { startUnleashServer, startTestEdge, standardRoutes, closedPortUrl, startUpstream, type UnleashTestServer, type TestEdge, type TestUpstream } from '@strangler/edge/testing';
import { createDataSides, startSyncWorker, strangler, type DataSides } from './support/cli-harness';

jest.setTimeout(120_000);

const describeWithPostgres = postgresAvailable() ? describe : describe.skip;

/**
 * `strangler flip` through a real Unleash server's Admin API (unleash-server 8.2.0 on PostgreSQL, the
 * edge harness), with the edge polling that server as in production.
 */
describeWithPostgres('strangler through the Unleash Admin API', () => {
  let unleash: UnleashTestServer;
  let sides: DataSides;
  let syncAuth: RunningSyncService;
  let syncPayments: RunningSyncService;
  let upstreams: TestUpstream[];
  let edge: TestEdge;
  let backupDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    [unleash, sides] = await Promise.all([startUnleashServer(), createDataSides('sqlite')]);
    [syncAuth, syncPayments] = await Promise.all([startSyncWorker(sides, 'auth'), startSyncWorker(sides, 'payments')]);
    upstreams = await Promise.all(['monolith', 'auth', 'payments'].map((name) => startUpstream({ name })));
    backupDir = mkdtempSync(path.join(tmpdir(), 'strangler-cli-unleash-'));
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: upstreams[0]!.url, auth: upstreams[1]!.url, payments: upstreams[2]!.url }),
      env: {
        UNLEASH_URL: unleash.apiUrl,
        UNLEASH_API_TOKEN: await unleash.createBackendToken(),
        UNLEASH_REFRESH_MS: '1000',
        UNLEASH_TIMEOUT_MS: '1000',
        UNLEASH_BACKUP_DIR: backupDir,
        UNLEASH_METRICS: 'false',
      },
    });
    env = {
      EDGE_URL: edge.url,
      UNLEASH_URL: unleash.url,
      UNLEASH_ADMIN_TOKEN: unleash.adminToken,
      MANIFESTS_DIR: edge.manifestsDir,
      // The flags file must not be touched when Unleash is configured.
      FLAGS_FILE: path.join(edge.dir, 'does-not-exist.json'),
      SYNC_URLS: `${syncAuth.url},${syncPayments.url}`,
      ...sides.env,
    };
  });

  afterAll(async () => {
    await edge?.stop();
    await Promise.all((upstreams ?? []).map((u) => u.stop()));
    await Promise.all([syncAuth?.stop(), syncPayments?.stop()]);
    await Promise.all([unleash?.stop(), sides?.close()]);
    if (backupDir) rmSync(backupDir, { recursive: true, force: true });
  });

  async function servedBy(method: string, url: string): Promise<string | null> {
    const response = await fetch(`${edge.url}${url}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
    await response.arrayBuffer();
    return response.headers.get('x-upstream');
  }

  async function adminView(flag: string) {
    const response = await fetch(`${unleash.url}/api/admin/projects/default/features/${flag}`, { headers: { authorization: unleash.adminToken } });
    const body = (await response.json()) as { environments: Array<{ name: string; enabled: boolean; strategies: any[] }> };
    return body.environments.find((e) => e.name === 'development')!;
  }

  it('creates the flag on first flip, and every flip changes the edge’s routing once it polls', async () => {
    expect(await servedBy('POST', '/api/payments')).toBe('monolith');
    const live = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '100', '--json'], env);
    expect(live.err).toBe('');
    expect(live.code).toBe(0);
    expect(live.json()).toMatchObject({
      ok: true,
      changed: true,
      store: { kind: 'unleash', where: `${unleash.url} (project default, environment development)` },
      from: { stage: 'monolith', percentage: 0, exists: false },
      to: { stage: 'live', percentage: 100 },
      checks: [{ check: 'sync to-service', ok: true }, { check: 'sync to-monolith', ok: true }, { check: 'verify', ok: true }],
      edge: { confirmed: true },
    });
    expect(await servedBy('GET', '/api/payments')).toBe('payments');
    expect(await servedBy('POST', '/api/payments')).toBe('payments');
    const view = await adminView('strangler.payments');
    expect(view.enabled).toBe(true);
    expect(view.strategies).toHaveLength(1);
    expect(view.strategies[0]).toMatchObject({ name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'default', groupId: 'payments' } });
    expect(view.strategies[0].variants).toEqual([expect.objectContaining({ name: 'stage', weight: 1000, payload: { type: 'json', value: '{"stage":"live"}' } })]);

    const reads = await strangler(['flip', 'payments', '--stage', 'reads'], env);
    expect(reads.code).toBe(0);
    expect(reads.out).toMatch(/payments: live 100% → reads 100% {2}\(flip of strangler\.payments via Unleash http/);
    expect(await servedBy('GET', '/api/payments')).toBe('payments');
    expect(await servedBy('POST', '/api/payments')).toBe('monolith');
  });

  it('rollback switches the flag off at once, keeps the percentage, and the next flip reuses it', async () => {
    const first = await strangler(['flip', 'auth', '--stage', 'live', '--percent', '100'], env);
    expect(first.code).toBe(0);
    expect(await servedBy('POST', '/api/auth/login')).toBe('auth');
    const back = await strangler(['rollback', 'auth'], env);
    expect(back.code).toBe(0);
    expect(back.out).toMatch(/auth: live 100% → monolith/);
    expect(back.out).toMatch(/ok\s+sync to-monolith/);
    expect(await servedBy('POST', '/api/auth/login')).toBe('monolith');
    const view = await adminView('strangler.auth');
    expect(view.enabled).toBe(false);
    expect(view.strategies[0].parameters.rollout).toBe('100');
    expect(view.strategies[0].variants[0].payload.value).toBe('{"stage":"monolith"}');

    const status = await strangler(['status', 'auth', '--json'], env);
    expect(status.json().capabilities[0]).toMatchObject({ capability: 'auth', stage: 'monolith', enabled: false, percentage: 100, readsPercent: 0, writesPercent: 0 });
    expect(status.json().edge.flagSource).toMatchObject({ kind: 'unleash', ready: true });

    const again = await strangler(['flip', 'auth', '--stage', 'shadow'], env);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/auth: monolith → shadow 100%/);
  });

  it('a refused flip leaves the flag in Unleash as it was', async () => {
    const before = await adminView('strangler.payments');
    const result = await strangler(['flip', 'payments', '--stage', 'complete'], { ...env, SYNC_URLS: await closedPortUrl() });
    expect(result.code).toBe(4);
    expect(result.out).toMatch(/reads 100% → complete: REFUSED/);
    expect(result.out).toMatch(/FAIL\s+sync to-service\s+no sync worker runs payments to-service/);
    expect(result.out).toMatch(/FAIL\s+sync to-monolith/);
    expect(result.out).toMatch(/skip\s+verify\s+not run: the sync checks above failed/);
    expect(await adminView('strangler.payments')).toEqual(before);
  });

  it('says why when Unleash will not do it: a wrong token, an unknown environment, an unreachable server', async () => {
    const token = await strangler(['rollback', 'payments'], { ...env, UNLEASH_ADMIN_TOKEN: '*:*.not-the-token' });
    expect(token.code).toBe(1);
    expect(token.err).toMatch(/Unleash refused the admin token \(401 on GET .*\): check UNLEASH_ADMIN_TOKEN/);

    const environment = await strangler(['rollback', 'payments'], { ...env, UNLEASH_ENVIRONMENT: 'staging' });
    expect(environment.code).toBe(1);
    expect(environment.err).toMatch(/strangler\.payments has no environment "staging" in project default \(UNLEASH_ENVIRONMENT\); it has development, production/);

    const closed = await closedPortUrl();
    // The edge reads the real Unleash: a shell pointed elsewhere is refused before it writes (#13 §7)…
    const elsewhere = await strangler(['rollback', 'payments'], { ...env, UNLEASH_URL: `${closed}/api/` });
    expect([elsewhere.code, elsewhere.err]).toEqual([2, expect.stringContaining(`but this shell would write Unleash ${closed} (UNLEASH_URL): nothing was written`)]);
    // …and with Unleash itself down (the edge's view aside), the error names the server and the emergency path.
    const down = await strangler(['rollback', 'payments', '--json'], { ...env, EDGE_URL: closed, UNLEASH_URL: `${closed}/api/` });
    expect(down.code).toBe(1);
    expect(down.json()).toMatchObject({ ok: false, exitCode: 1, error: expect.stringMatching(new RegExp(`^cannot reach Unleash at ${closed}/api/admin/projects/default/features/strangler\\.payments: ECONNREFUSED.*strangler emergency stop payments`)) });
  });

  // Issue #13.7: a forward flip re-read the flag after its gates and switched back on a flag a rollback
  // had just switched off. The flip now writes only if the flag is still what its gates judged.
  it('compare-and-set: a rollback issued while a forward flip runs its gates wins, in Unleash too', async () => {
    const before = await adminView('strangler.payments');
    expect(before.strategies[0].variants[0].payload.value).toBe('{"stage":"reads"}');
    let rollback: Awaited<ReturnType<typeof strangler>> | undefined;
    const verifyWhileAnotherOperatorRollsBack = async () => {
      rollback = await strangler(['rollback', 'payments'], env);
      return { ok: true, detail: 'both sides equal (stub)' };
    };
    const forward = await strangler(['flip', 'payments', '--stage', 'live', '--percent', '100'], env, { verify: verifyWhileAnotherOperatorRollsBack });
    expect(rollback!.code).toBe(0);
    expect(forward.code).toBe(4);
    expect(forward.err).toMatch(/strangler\.payments: the flag moved while this flip ran its gates: it read reads 100% \(generation \d+\), it is now monolith .*nothing was changed/);
    const after = await adminView('strangler.payments');
    expect(after.enabled).toBe(false);
    expect(after.strategies[0].variants[0].payload.value).toBe('{"stage":"monolith"}');
    expect(Number(after.strategies[0].parameters.flipGeneration)).toBe(Number(before.strategies[0].parameters.flipGeneration) + 1);
    expect(await servedBy('GET', '/api/payments')).toBe('monolith');
  });

  it('a flag archived in Unleash is named as such, not a bare 409 (issue #13 §7)', async () => {
    const flipped = await strangler(['flip', 'auth', '--stage', 'shadow', '--percent', '10', '--force', '--wait', '0'], env);
    expect(flipped.code).toBe(0);
    const archived = await fetch(`${unleash.url}/api/admin/projects/default/features/strangler.auth`, { method: 'DELETE', headers: { authorization: unleash.adminToken } });
    expect(archived.status).toBeLessThan(300);
    const again = await strangler(['flip', 'auth', '--stage', 'shadow', '--percent', '10', '--force', '--wait', '0'], env);
    expect([again.code, again.err]).toEqual([1, expect.stringContaining('strangler.auth is archived in Unleash (it reads as absent: everyone is on the monolith)')]);
  });
});
