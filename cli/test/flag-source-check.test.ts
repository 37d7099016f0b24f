import path from 'node:path';
import { startTestEdge, standardRoutes, closedPortUrl, startUpstream, type TestEdge, type TestUpstream } from '@strangler/edge/testing';
import { strangler } from './support/cli-harness';

jest.setTimeout(60_000);

/**
 * Issue #13 §7: in a shell without UNLEASH_URL, `strangler rollback payments` printed "already
 * monolith (the flags file); nothing to change" and exited 0 while the edge, reading Unleash, routed
 * shadow 50 %. The CLI checks that it writes where the edges read, before anything else.
 */
describe('strangler writes flags only where the edges read them', () => {
  let upstream: TestUpstream;
  let edge: TestEdge;
  beforeAll(async () => {
    upstream = await startUpstream();
    edge = await startTestEdge({
      routes: standardRoutes({ monolith: upstream.url, auth: upstream.url, payments: upstream.url }),
      flags: [
        { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
        { capability: 'payments', enabled: true, stage: 'shadow', rollout: 50 },
      ],
    });
  });
  afterAll(async () => {
    await edge?.stop();
    await upstream?.stop();
  });
  const base = () => ({ EDGE_URL: edge.url, MANIFESTS_DIR: edge.manifestsDir, SYNC_URLS: 'http://127.0.0.1:9' });

  it('refuses a rollback into another flags file than the edge reads, changing nothing (exit 2)', async () => {
    const other = path.join(edge.dir, 'another-flags.json');
    const refused = await strangler(['rollback', 'payments'], { ...base(), FLAGS_FILE: other });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`the edge ${edge.url} reads the flags file ${path.join(edge.dir, 'flags.json')}, but this shell would write the flags file ${other} (FLAGS_FILE; UNLEASH_URL is not set): nothing was written`);
    const capabilities = (await (await fetch(`${edge.url}/_edge/capabilities`)).json()) as { capabilities: unknown[] };
    expect(capabilities.capabilities[1]).toMatchObject({ capability: 'payments', stage: 'shadow', percentage: 50 });
  });

  it('refuses to write Unleash while the edge reads a flags file', async () => {
    const refused = await strangler(['rollback', 'payments'], { ...base(), UNLEASH_URL: `${await closedPortUrl()}/api/`, UNLEASH_ADMIN_TOKEN: 'x' });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/reads the flags file .*but this shell would write Unleash .* \(UNLEASH_URL\): nothing was written/);
  });

  it('writes when they agree', async () => {
    const done = await strangler(['rollback', 'payments', '--wait', '5'], { ...base(), FLAGS_FILE: path.join(edge.dir, 'flags.json') });
    expect(done.code).toBe(0);
  });
});
