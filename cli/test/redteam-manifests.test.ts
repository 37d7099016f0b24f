import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestEdge, standardRoutes, startUpstream, type TestEdge, type TestUpstream } from '@strangler/edge/testing';
import { strangler, waitFor } from './support/cli-harness';

jest.setTimeout(60_000);

/**
 * Red team (#16): the CLI and the edge reading manifests that differ (another MANIFESTS_DIR, a bad
 * edit of another capability's file). A real edge on its flags file; upstreams are stubs.
 */
describe('strangler with manifests that are not the edge’s', () => {
  let upstream: TestUpstream;
  let edge: TestEdge;
  let cliManifests: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    upstream = await startUpstream({ name: 'stub' });
    edge = await startTestEdge({ routes: standardRoutes({ monolith: upstream.url, auth: upstream.url, payments: upstream.url }) });
  });
  afterAll(async () => {
    await edge?.stop();
    await upstream?.stop();
  });
  beforeEach(() => {
    cliManifests = mkdtempSync(path.join(tmpdir(), 'cli-manifests-'));
    cpSync(edge.manifestsDir, cliManifests, { recursive: true });
    env = { EDGE_URL: edge.url, FLAGS_FILE: path.join(edge.dir, 'flags.json'), MANIFESTS_DIR: cliManifests, SYNC_URLS: 'http://127.0.0.1:9' };
    edge.setFlags([
      { capability: 'auth', enabled: false, stage: 'monolith', rollout: 0 },
      { capability: 'payments', enabled: true, stage: 'reads', rollout: 50 },
    ]);
  });
  afterEach(() => rmSync(cliManifests, { recursive: true, force: true }));

  const paymentsFlag = () => (JSON.parse(readFileSync(env.FLAGS_FILE!, 'utf8')) as { features: Array<{ name: string; enabled: boolean }> }).features.find((f) => f.name === 'strangler.payments');
  const edgeStage = async () => {
    const body = (await (await fetch(`${edge.url}/_edge/capabilities`)).json()) as { capabilities: Array<{ capability: string; stage: string }> };
    return body.capabilities.find((c) => c.capability === 'payments')?.stage;
  };

  // A bad edit of auth.json must not take away the rollback of payments (the edge kept its last good auth).
  it('a rollback goes through when another capability’s manifest is invalid, and says which is', async () => {
    await waitFor('the edge to read payments at reads', async () => (await edgeStage()) === 'reads');
    writeFileSync(path.join(cliManifests, 'auth.json'), '{"name": "auth", "serv');
    const run = await strangler(['rollback', 'payments', '--wait', '5'], env);
    expect(run.err).toMatch(/auth\.json/);
    expect(run.code).toBe(0);
    expect(paymentsFlag()?.enabled).toBe(false);
    expect(await edgeStage()).toBe('monolith');
  });

  it('a forward flip is still refused while any manifest is invalid, naming it', async () => {
    writeFileSync(path.join(cliManifests, 'auth.json'), '{"name": "auth", "serv');
    const run = await strangler(['flip', 'payments', '--stage', 'shadow', '--percent', '10', '--force'], env);
    expect(run.code).not.toBe(0);
    expect(run.err).toMatch(/auth\.json: \(file\): not valid JSON/);
  });

  // Another MANIFESTS_DIR naming another flag: the edge never moves; the operator must be told why.
  it('a rollback whose flag is not the one the edge routes the capability by is refused, naming both flags, not reported "already monolith"', async () => {
    const file = path.join(cliManifests, 'payments.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), flag: 'strangler.payments-b' }));
    const run = await strangler(["rollback", "payments", "--wait", "1"], env);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/the edge http:\S+ routes payments by strangler\.payments, not strangler\.payments-b .*nothing was written.*strangler emergency stop payments/);
    expect(paymentsFlag()?.enabled).toBe(true);
  });
});
