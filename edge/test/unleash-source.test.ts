import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Unleash, UnleashEvents } from 'unleash-client';
import { destroyUnleash } from '../src/flags/unleash-lifecycle';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildFlagsDocument } from '@strangler/cutover-model';
import { closedPortUrl, eventually, jsonOf, startUpstream, standardRoutes, startTestEdge, type TestUpstream, type TestEdge } from '../src/testing';

describe('destroying an unleash-client while a fetch to an unreachable server is in flight', () => {
  it('does not crash the process (the late error is absorbed)', async () => {
    const backupPath = mkdtempSync(path.join(tmpdir(), 'edge-unleash-destroy-'));
    const unleash = new Unleash({
      url: `${await closedPortUrl()}/api/`,
      appName: 'destroy-test',
      refreshInterval: 60_000,
      timeout: 1_000,
      disableMetrics: true,
      backupPath,
      customHeaders: { Authorization: 'x' },
      skipInstanceCountWarning: true,
    });
    unleash.on(UnleashEvents.Error, () => undefined);
    unleash.on(UnleashEvents.Warn, () => undefined);
    const late: unknown[] = [];
    await new Promise((resolve) => setImmediate(resolve));
    destroyUnleash(unleash, (error) => late.push(error));
    // unleash-client retries the refused fetch for about two seconds, then reports it to nobody.
    await eventually(() => late.length > 0, 10_000, 50);
    expect(String(late[0])).toMatch(/ECONNREFUSED/);
    rmSync(backupPath, { recursive: true, force: true });
  });
});

/** A real Unleash server is exercised by the shadow engineer's harness; here it only answers 404. */
describe('Unleash as the flag source, while Unleash has no flags to give', () => {
  let monolith: TestUpstream;
  let service: TestUpstream;
  let dir: string;
  let unleashUrl: string;
  let unleashDown: http.Server;
  const edges: TestEdge[] = [];

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    service = await startUpstream({ name: 'payments' });
    dir = mkdtempSync(path.join(tmpdir(), 'edge-unleash-'));
    // Answers 404 at once: unleash-client backs off without the retry timers a refused connection leaves behind.
    unleashDown = http.createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => unleashDown.listen(0, '127.0.0.1', resolve));
    unleashUrl = `http://127.0.0.1:${(unleashDown.address() as AddressInfo).port}/api/`;
  });
  afterAll(async () => {
    await Promise.all(edges.map((edge) => edge.stop()));
    await Promise.all([monolith.stop(), service.stop()]);
    unleashDown.closeAllConnections();
    await new Promise((resolve) => unleashDown.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (backupDir: string, env: Record<string, string> = {}) => {
    const edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: service.url }),
      env: { UNLEASH_URL: unleashUrl, UNLEASH_API_TOKEN: 'default:development.token', UNLEASH_REFRESH_MS: '200', UNLEASH_TIMEOUT_MS: '1000', UNLEASH_BACKUP_DIR: backupDir, UNLEASH_METRICS: 'false', ...env },
    });
    edges.push(edge);
    return edge;
  };

  it('starts without flags: not ready, every request served by the monolith, errors counted', async () => {
    const backupDir = path.join(dir, 'fresh', 'nested');
    const edge = await start(backupDir);
    expect(existsSync(backupDir)).toBe(true);
    const ready = await fetch(`${edge.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await jsonOf(ready)).toMatchObject({ code: 'NOT_READY', checks: { flags: 'failing' } });
    const response = await fetch(`${edge.url}/api/payments/p1`);
    expect([response.status, response.headers.get('x-strangler-target')]).toEqual([200, 'monolith']);
    await eventually(async () => /edge_flag_source_errors_total\{source="unleash",severity="warn"/.test(await edge.metrics()));
    expect(await edge.metrics()).toContain('edge_flag_source_last_success_age_seconds{source="unleash",service="edge"} -1');
  });

  it('routes by the last flags it fetched (its backup) after a restart while Unleash is down', async () => {
    const backupDir = path.join(dir, 'backup');
    mkdirSync(backupDir, { recursive: true });
    const flags = buildFlagsDocument([{ capability: 'payments', enabled: true, stage: 'complete', rollout: 100 }]);
    writeFileSync(path.join(backupDir, 'unleash-backup-strangler-edge.json'), JSON.stringify(flags));
    const edge = await start(backupDir, { UNLEASH_STALE_AFTER_MS: '600' });
    await eventually(async () => (await fetch(`${edge.url}/health/ready`)).status === 200);
    const response = await fetch(`${edge.url}/api/payments/p1`);
    expect([response.status, response.headers.get('x-strangler-target')]).toEqual([200, 'service']);
    const capabilities = await jsonOf(fetch(`${edge.url}/_edge/capabilities`));
    expect(capabilities.capabilities[1]).toMatchObject({ capability: 'payments', stage: 'complete', percentage: 100 });
    expect(capabilities.flags).toMatchObject({ kind: 'unleash', ready: true });
    // Issue #13 §7: an edge cut off from Unleash answered ready with flags "ok" on flags a flip had
    // changed since. Still ready (it routes), but it says its flags are stale, everywhere.
    await eventually(async () => (await jsonOf(fetch(`${edge.url}/health/ready`))).checks?.flags === 'stale');
    expect(await jsonOf(fetch(`${edge.url}/health/ready`))).toMatchObject({ status: 'ready', checks: { flags: 'stale' } });
    expect((await jsonOf(fetch(`${edge.url}/_edge/capabilities`))).flags).toMatchObject({ stale: true, ageSeconds: expect.any(Number) });
    expect(await edge.metrics()).toContain('edge_flag_source_stale{source="unleash",service="edge"} 1');
  });
});
