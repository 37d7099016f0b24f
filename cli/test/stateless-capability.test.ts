import { renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { stageOfDefinition } from '@strangler/cutover-model';
import path from 'node:path';
import { startTestEdge, standardRoutes, startUpstream, eventually, type TestEdge, type TestUpstream } from '@strangler/edge/testing';
import { strangler } from './support/cli-harness';

jest.setTimeout(60_000);

/**
 * A capability whose manifest declares no `data` (a stateless service, or one over the monolith's own
 * database): there is nothing to sync or verify, so its flips need no sync worker and no `--force`;
 * the edge's write fence still drains the old side's writes in flight when writes move.
 */
describe('strangler with a capability that moves no data', () => {
  let monolith: TestUpstream;
  let search: TestUpstream;
  let edge: TestEdge;
  let env: Record<string, string>;

  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
    search = await startUpstream({ name: 'search' });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: monolith.url }) });
    writeManifestFile('search', '/api/search');
    await eventually(() => edge.runtime.routes.current().table.capabilities.some((c) => c.name === 'search'));
    // No SYNC_URLS, no database of the shipped example: nothing of the data engine is needed.
    env = { EDGE_URL: edge.url, FLAGS_FILE: path.join(edge.dir, 'flags.json'), MANIFESTS_DIR: edge.manifestsDir };
  });

  function writeManifestFile(name: string, route: string, dir = edge.manifestsDir) {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ name, service: { url: search.url }, routes: [{ methods: ['GET', 'POST'], path: route }], databases: { monolith: { url: 'm.sqlite' }, service: { url: 's.sqlite' } } }));
    renameSync(`${file}.tmp`, file);
  }

  afterAll(async () => {
    await edge?.stop();
    await Promise.all([monolith?.stop(), search?.stop()]);
  });

  const servedBy = async (method: string) => {
    const response = await fetch(`${edge.url}/api/search`, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
    await response.arrayBuffer();
    return response.headers.get('x-upstream');
  };

  // The red team: a manifest the edge refused to add (its flag was already at live) left the operator
  // with a rollback refused by the edge's 404 for the fence, and a forward flip that failed obscurely.
  it('a capability the edge refused to add: a forward flip is refused naming why, a rollback is taken and the edge then routes it', async () => {
    edge.setFlags([{ capability: 'search', enabled: false, stage: 'monolith', rollout: 0 }, { capability: 'found', enabled: true, stage: 'live', rollout: 50 }]);
    await eventually(() => stageOfDefinition(edge.runtime.flags.client()?.getFeatureToggleDefinition('strangler.found')) === 'live');
    writeManifestFile('found', '/api/found');
    await eventually(() => edge.runtime.routes.status()?.lastError !== undefined);

    const forward = await strangler(['flip', 'found', '--stage', 'complete'], env);
    expect(forward.code).not.toBe(0);
    expect(forward.out).toMatch(/does not route found .*strangler status.*would keep sending found's requests to the monolith/);

    // Nor any other change that gives the service requests, even one that takes writes off it (no fence would refuse that).
    const reads = await strangler(['flip', 'found', '--stage', 'reads', '--percent', '50'], env);
    expect(reads.code).not.toBe(0);
    expect(reads.out).toMatch(/FAIL\s+edges\s+.*does not route found/);
    expect(stageOfDefinition(edge.runtime.flags.client()?.getFeatureToggleDefinition('strangler.found'))).toBe('live');

    const back = await strangler(['rollback', 'found'], env);
    expect({ code: back.code, err: back.err }).toEqual({ code: 0, err: '' });
    expect(back.out).toMatch(/not fenced: .* does not route found/);
    await eventually(() => edge.runtime.routes.current().table.capabilities.some((c) => c.name === 'found'), 10_000);
    expect(edge.runtime.routes.status()?.lastError).toBeUndefined();
  });

  // Red team on 74ebdce: the manifest's word alone turned every data check off. A data section removed
  // while the data moves (or a shell reading other manifests) flipped past a sync worker 900 changes
  // behind, and status said `sync none` over it.
  it('a sync worker carrying the capability all the same: a flip is refused naming it, status shows it', async () => {
    const worker = http.createServer((req, res) => {
      res.end(req.url === '/metrics' ? 'data_sync_lag_seconds{capability="search",direction="to-service"} 42\ndata_sync_pending_changes{capability="search",direction="to-service"} 900\n' : '{"status":"ok"}');
    });
    await new Promise<void>((resolve) => worker.listen(0, '127.0.0.1', resolve));
    const withWorker = { ...env, SYNC_URLS: `http://127.0.0.1:${(worker.address() as AddressInfo).port}` };
    try {
      const flip = await strangler(['flip', 'search', '--stage', 'live', '--percent', '100'], withWorker);
      expect(flip.code).toBe(4);
      expect(flip.out).toMatch(/REFUSED[\s\S]*FAIL {2}data {14}its manifest declares no data, yet a sync worker carries search's data \(http:\/\/127\.0\.0\.1:\d+ to-service, 900 pending\)/);
      expect(await servedBy('POST')).toBe('monolith');
      for (const argv of [['status', 'search'], ['status']]) {
        const status = await strangler(argv, withWorker);
        expect(status.code).toBe(1);
        expect(status.out).toMatch(/sync {6}to-service {2}ready, lag 42\.0 s, 900 pending/);
        expect(status.out).toMatch(/search: its manifest declares no data, yet a sync worker carries search's data/);
      }
    } finally {
      await new Promise<void>((resolve) => worker.close(() => resolve()));
    }
  });

  // Red team on f9ed72d: two edges on one flags file, one routing the capability, the other having
  // refused its manifest (it arrived there with the flag at live).
  it('two edges, one not routing the capability: a forward flip is refused naming it, a rollback fences only the other', async () => {
    const other = await startTestEdge({ routes: standardRoutes({ monolith: monolith.url, auth: monolith.url, payments: monolith.url }), env: { FLAGS_FILE: path.join(edge.dir, 'flags.json') } });
    try {
      writeManifestFile('split', '/api/split');
      await eventually(() => edge.runtime.routes.current().table.capabilities.some((c) => c.name === 'split'));
      const live = await strangler(['flip', 'split', '--stage', 'live', '--percent', '50'], env);
      expect({ code: live.code, err: live.err }).toEqual({ code: 0, err: '' });
      writeManifestFile('split', '/api/split', other.manifestsDir);
      await eventually(() => other.runtime.routes.status()?.lastError !== undefined);
      const both = { ...env, EDGE_URLS: `${edge.url},${other.url}` };
      const post = async (at: TestEdge) => (await fetch(`${at.url}/api/split`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).headers.get('x-upstream');
      expect(await post(other)).toBe('monolith');

      const forward = await strangler(['flip', 'split', '--stage', 'complete'], both);
      expect(forward.code).toBe(4);
      expect(forward.out).toContain(`${other.url} does not route split`);
      const back = await strangler(['rollback', 'split'], both);
      expect({ code: back.code, err: back.err }).toEqual({ code: 0, err: '' });
      expect(back.out).toMatch(/write fence on 1 edge\(s\)/);
      expect(back.out).toContain(`not fenced: ${other.url} does not route split`);
      await eventually(() => other.runtime.routes.current().table.capabilities.some((c) => c.name === 'split'), 10_000);
      expect([await post(edge), await post(other)]).toEqual(['monolith', 'monolith']);
      const again = await strangler(['flip', 'split', '--stage', 'live', '--percent', '100'], both);
      expect({ code: again.code, err: again.err }).toEqual({ code: 0, err: '' });
      expect(again.out).toMatch(/write fence on 2 edge\(s\)/);
      expect([await post(edge), await post(other)]).toEqual(['search', 'search']);
      expect((await strangler(['rollback', 'split'], both)).code).toBe(0);
    } finally {
      await other.stop();
    }
  });

  it('flips through every stage and back with no --force, saying there is no data to check', async () => {
    for (const [stage, percent, read, write] of [
      ['shadow', '100', 'monolith', 'monolith'],
      ['reads', '100', 'search', 'monolith'],
      ['live', '100', 'search', 'search'],
      ['complete', '100', 'search', 'search'],
    ] as const) {
      const flip = await strangler(['flip', 'search', '--stage', stage, '--percent', percent], env);
      expect({ stage, code: flip.code, err: flip.err }).toEqual({ stage, code: 0, err: '' });
      expect(flip.out).toMatch(/no data to move/);
      expect(await servedBy('GET')).toBe(read);
      expect(await servedBy('POST')).toBe(write);
    }
    const back = await strangler(['rollback', 'search'], env);
    expect({ code: back.code, err: back.err }).toEqual({ code: 0, err: '' });
    expect(back.out).toMatch(/write fence on 1 edge\(s\)/);
    expect(await servedBy('POST')).toBe('monolith');
    const status = await strangler(['status', 'search'], env);
    expect({ code: status.code, err: status.err }).toEqual({ code: 0, err: '' });
    expect(status.out).toMatch(/search {2}monolith/);
    expect(status.out).toMatch(/sync {6}none: its manifest declares no data to move/);
    expect(status.out).not.toMatch(/sync worker/);
  });
});
