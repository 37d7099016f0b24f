import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, standardRoutes, startTestEdge, startUpstream, type TestEdge, type TestUpstream } from '@strangler/edge/testing';
import { strangler } from './support/cli-harness';

jest.setTimeout(30_000);

/**
 * A bad edit of a manifest changes nothing the edge routes (it keeps its last good version) and stops
 * `strangler flip`; `strangler status` says both, so an operator learns it before the next flip does.
 */
describe('strangler status: a refused manifest edit', () => {
  let upstream: TestUpstream;
  let edge: TestEdge;
  let env: Record<string, string>;

  beforeAll(async () => {
    upstream = await startUpstream({ name: 'monolith' });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: upstream.url, auth: upstream.url, payments: upstream.url }) });
    env = { EDGE_URL: edge.url, MANIFESTS_DIR: edge.manifestsDir, SYNC_URLS: 'http://127.0.0.1:9' };
  });
  afterAll(async () => {
    await edge?.stop();
    await upstream?.stop();
  });

  it('names the manifest problem and the edge running on its last good version', async () => {
    const before = await strangler(['status', '--json'], env);
    expect(before.json().problems.filter((p: string) => /manifest/.test(p))).toEqual([]);

    const file = path.join(edge.manifestsDir, 'payments.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('"/api/payments"', '"api/payments"'));
    try {
      await eventually(async () => ((await (await fetch(`${edge.url}/_edge/routes`)).json()) as { file: { lastError?: unknown } }).file.lastError !== undefined);
      const status = await strangler(['status', '--json'], env);
      expect(status.code).toBe(1);
      const problems: string[] = status.json().problems;
      expect(problems).toContainEqual(expect.stringMatching(/^manifest: .*payments\.json: capability payments: routes\.0\.path: must start with \/ — strangler flip refuses/));
      expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^edge ${edge.url}: an edit of its routes file or manifests was refused at .*routes\\.0\\.path.*; it routes by the last good version$`)));
    } finally {
      writeFileSync(file, good);
    }
    await eventually(async () => ((await (await fetch(`${edge.url}/_edge/routes`)).json()) as { file: { lastError?: unknown } }).file.lastError === undefined);
    const after = await strangler(['status', '--json'], env);
    expect(after.json().problems.filter((p: string) => /manifest/.test(p))).toEqual([]);
  });
});
