import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeDeployableProcess, expectRefusal, expectServesThenStops } from '@strangler/kit/testing/process-contract';
import { buildFlagsDocument } from '../src/flags';
import { startUpstream, type TestUpstream } from './support/upstream';
import { monolithOnly } from './support/test-edge';

// Runs the compiled server exactly as `npm run start:edge` does (`npm test` builds first).
const SERVER = path.resolve(__dirname, '../dist/server.js');

describeDeployableProcess('the edge process', SERVER, ({ run, dir }) => {
  let monolith: TestUpstream;
  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
  });
  afterAll(() => monolith.stop());
  beforeEach(() => {
    writeFileSync(path.join(dir(), 'flags.json'), JSON.stringify(buildFlagsDocument(monolithOnly())));
  });

  it('refuses to start on bad config, naming the variables', async () => {
    await expectRefusal(run({ PORT: 'http', TRUST_PROXY: 'not-an-address', UNLEASH_TIMEOUT_MS: '500' }), [
      'PORT="http"',
      'TRUST_PROXY="not-an-address"',
      'UNLEASH_TIMEOUT_MS="500": must be at least 1000',
    ]);
    await expectRefusal(run({ UNLEASH_URL: 'http://unleash:4242/api/' }), ['UNLEASH_API_TOKEN: is required when UNLEASH_URL is set']);
  });

  it('refuses to start on an invalid routes file, saying what is wrong', async () => {
    writeFileSync(path.join(dir(), 'routes.json'), JSON.stringify({ monolith: { url: '${MONOLITH_URL}' }, capabilities: {} }));
    const proc = run({ PORT: '0', ROUTES_FILE: path.join(dir(), 'routes.json'), FLAGS_FILE: path.join(dir(), 'flags.json') });
    await expectRefusal(proc, ['monolith.url: ${MONOLITH_URL} is not set and has no default']);
  });

  it('starts with the shipped routes file, proxies, and exits 0 on SIGTERM', async () => {
    const proc = run({
      PORT: '0',
      ROUTES_FILE: path.resolve(__dirname, '../routes.json'),
      FLAGS_FILE: path.join(dir(), 'flags.json'),
      MONOLITH_URL: monolith.url,
      EDGE_ADMIN_TOKEN: 'process-test-admin-token-0123456789abcdef',
    });
    await expectServesThenStops(proc, async (url) => {
      const proxied = await fetch(`${url}/api/payments/p1`);
      expect([proxied.status, proxied.headers.get('x-strangler-target'), proxied.headers.get('x-upstream')]).toEqual([200, 'monolith', 'monolith']);
    });
  });
});
