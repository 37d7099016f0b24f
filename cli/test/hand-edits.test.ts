import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestEdge, standardRoutes, startUpstream, type TestEdge, type TestUpstream } from '@strangler/edge/testing';
import { strangler, waitFor } from './support/cli-harness';

jest.setTimeout(60_000);

type Feature = { name: string; enabled: boolean; strategies: Array<{ name: string; parameters: Record<string, string> }> };

/**
 * Issue #13 §7: hand edits bypassed the gates unnoticed (a stage raised in the UI, `stickiness:
 * random`, an environment switched off and on). Each flip seals the state its gates approved; the
 * edge reports whether the flag still matches its seal, `status` warns when not, and a flip puts the
 * flag model's stickiness back.
 */
describe('flags changed outside strangler', () => {
  let upstream: TestUpstream;
  let edge: TestEdge;
  let env: Record<string, string>;
  beforeAll(async () => {
    upstream = await startUpstream();
    edge = await startTestEdge({ routes: standardRoutes({ monolith: upstream.url, auth: upstream.url, payments: upstream.url }) });
    env = { EDGE_URL: edge.url, FLAGS_FILE: path.join(edge.dir, 'flags.json'), MANIFESTS_DIR: edge.manifestsDir, SYNC_URLS: 'http://127.0.0.1:9' };
  });
  afterAll(async () => {
    await edge?.stop();
    await upstream?.stop();
  });

  const payments = async () => ((await (await fetch(`${edge.url}/_edge/capabilities`)).json()) as { capabilities: Array<{ capability: string; percentage?: number; enabled?: boolean }> }).capabilities.find((c: { capability: string }) => c.capability === 'payments');
  const handEdit = (edit: (feature: Feature) => void) => {
    const file = path.join(edge.dir, 'flags.json');
    const document = JSON.parse(readFileSync(file, 'utf8')) as { features: Feature[] };
    edit(document.features.find((f) => f.name === 'strangler.payments') as Feature);
    edge.writeFlagsText(JSON.stringify(document));
  };

  it('a flip seals what it wrote; a hand edit breaks the seal and status says so; the next flip restores the flag model', async () => {
    // --force: no sync workers here; what matters is the seal, not the gates.
    expect((await strangler(['flip', 'payments', '--stage', 'shadow', '--percent', '10', '--force', '--wait', '5'], env)).code).toBe(0);
    expect(await payments()).toMatchObject({ stage: 'shadow', percentage: 10, stickiness: 'default', approved: true });

    handEdit((f) => {
      f.strategies[0]!.parameters.rollout = '80';
      f.strategies[0]!.parameters.stickiness = 'random';
    });
    await waitFor('the edge to read the hand edit', async () => (await payments())?.percentage === 80);
    expect(await payments()).toMatchObject({ stickiness: 'random', approved: false });
    const status = await strangler(['status', 'payments', '--json'], env);
    expect(status.json().problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^payments: its flag was changed outside strangler \(it reads on, shadow 80%, stickiness random\): no gate approved that/),
        'payments: its flag\'s stickiness is random, not default: one user\'s requests can go to both sides (the next flip sets it back)',
      ]),
    );

    // The environment switched off and on by hand, in Unleash's terms: the same seal check.
    expect((await strangler(['flip', 'payments', '--stage', 'shadow', '--percent', '20', '--force', '--wait', '5'], env)).code).toBe(0);
    expect(await payments()).toMatchObject({ percentage: 20, stickiness: 'default', approved: true });
    handEdit((f) => void (f.enabled = false));
    await waitFor('the edge to read the switch-off', async () => (await payments())?.enabled === false);
    expect(await payments()).toMatchObject({ approved: false });
  });
});
