import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresAvailable } from '@strangler/kit/testing';
import { startUnleashServer, startTestEdge, standardRoutes, startUpstream, eventually, type UnleashTestServer, type TestEdge, type TestUpstream } from '@strangler/edge/testing';
import { strangler } from './support/cli-harness';

jest.setTimeout(120_000);

const describeWithPostgres = postgresAvailable() ? describe : describe.skip;

/**
 * Red team on 74ebdce: a capability whose manifest declares no data, flipped through a real Unleash
 * server's Admin API (the flag created on the first flip), with the edge polling it: every stage and
 * the rollback reach the edge, with no sync worker and no --force.
 */
describeWithPostgres('a capability that moves no data, through the Unleash Admin API', () => {
  let unleash: UnleashTestServer;
  let monolith: TestUpstream;
  let search: TestUpstream;
  let edge: TestEdge;
  let backupDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    unleash = await startUnleashServer();
    [monolith, search] = await Promise.all([startUpstream({ name: 'monolith' }), startUpstream({ name: 'search' })]);
    backupDir = mkdtempSync(path.join(tmpdir(), 'strangler-cli-stateless-unleash-'));
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: monolith.url }),
      env: {
        UNLEASH_URL: unleash.apiUrl,
        UNLEASH_API_TOKEN: await unleash.createBackendToken(),
        UNLEASH_REFRESH_MS: '500',
        UNLEASH_TIMEOUT_MS: '1000',
        UNLEASH_BACKUP_DIR: backupDir,
        UNLEASH_METRICS: 'false',
      },
    });
    const file = path.join(edge.manifestsDir, 'search.json');
    writeFileSync(`${file}.tmp`, JSON.stringify({ name: 'search', service: { url: search.url }, routes: [{ methods: ['GET', 'POST'], path: '/api/search' }], databases: { monolith: { url: 'm.sqlite' }, service: { url: 's.sqlite' } } }));
    renameSync(`${file}.tmp`, file);
    await eventually(() => edge.runtime.routes.current().table.capabilities.some((c) => c.name === 'search'), 10_000);
    env = { EDGE_URL: edge.url, UNLEASH_URL: unleash.url, UNLEASH_ADMIN_TOKEN: unleash.adminToken, MANIFESTS_DIR: edge.manifestsDir, FLAGS_FILE: path.join(edge.dir, 'does-not-exist.json') };
  });

  afterAll(async () => {
    await edge?.stop();
    await Promise.all([monolith?.stop(), search?.stop()]);
    await unleash?.stop();
    if (backupDir) rmSync(backupDir, { recursive: true, force: true });
  });

  const servedBy = async (method: string) => {
    const response = await fetch(`${edge.url}/api/search`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
    await response.arrayBuffer();
    return { upstream: response.headers.get('x-upstream'), target: response.headers.get('x-strangler-target') };
  };

  it('flips through every stage and rolls back, each confirmed by the edge, with no --force', async () => {
    for (const [stage, read, write] of [
      ['shadow', 'monolith', 'monolith'],
      ['reads', 'service', 'monolith'],
      ['live', 'service', 'service'],
      ['complete', 'service', 'service'],
    ] as const) {
      const flip = await strangler(['flip', 'search', '--stage', stage, '--percent', '100', '--wait', '10'], env);
      expect({ stage, code: flip.code, err: flip.err }).toEqual({ stage, code: 0, err: '' });
      expect(flip.out).toMatch(/no data to move/);
      expect((await servedBy('GET')).target).toBe(read);
      expect((await servedBy('POST')).target).toBe(write);
    }
    const back = await strangler(['rollback', 'search', '--wait', '10'], env);
    expect({ code: back.code, err: back.err }).toEqual({ code: 0, err: '' });
    expect(back.out).toMatch(/write fence on 1 edge\(s\)/);
    expect(await servedBy('POST')).toEqual({ upstream: 'monolith', target: 'monolith' });
    const status = await strangler(['status', 'search'], env);
    expect(status.out).toMatch(/search {2}monolith/);
    expect(status.out).toMatch(/sync {6}none: its manifest declares no data to move/);
  });
});
