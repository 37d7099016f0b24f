import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeDeployableProcess, expectRefusal, expectServesThenStops } from '@strangler/kit/testing';
import { buildFlagsDocument } from '@strangler/cutover-model';
import { startUpstream, monolithOnly, type TestUpstream } from '../src/testing';

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
    writeFileSync(path.join(dir(), 'routes.json'), JSON.stringify({ monolith: { url: '${MONOLITH_URL}' } }));
    const proc = run({ PORT: '0', HOST: '127.0.0.1', ROUTES_FILE: path.join(dir(), 'routes.json'), FLAGS_FILE: path.join(dir(), 'flags.json') });
    await expectRefusal(proc, ['monolith.url: ${MONOLITH_URL} is not set and has no default']);
  });

  it('refuses to start on an invalid capability manifest, naming its file, capability and field', async () => {
    const manifests = path.join(dir(), 'manifests');
    mkdirSync(manifests, { recursive: true });
    const manifest = { name: 'search', service: { url: '${SEARCH_URL}' }, routes: [{ methods: 'GET', path: 'api/search' }], databases: { monolith: { url: 'm' }, service: { url: 's' } } };
    writeFileSync(path.join(manifests, 'search.json'), JSON.stringify(manifest));
    // A routes file of its own: the shipped one's last good copy (left by other tests) would be started on.
    const routes = path.join(dir(), 'routes.json');
    writeFileSync(routes, JSON.stringify({ monolith: { url: 'http://127.0.0.1:1' } }));
    const proc = run({ PORT: '0', HOST: '127.0.0.1', ROUTES_FILE: routes, MANIFESTS_DIR: manifests, FLAGS_FILE: path.join(dir(), 'flags.json') });
    await expectRefusal(proc, [`${path.join(manifests, 'search.json')}: capability search: routes.0.path: must start with /`]);
  });

  it('starts on the last good flags when the flags file is invalid at start, and says so loudly (issue #11 §5)', async () => {
    const flags = path.join(dir(), 'flags.json');
    const env = { PORT: '0', HOST: '127.0.0.1', ROUTES_FILE: path.resolve(__dirname, '../routes.json'), ROUTES_BACKUP_FILE: path.join(dir(), 'routes.last-good'), FLAGS_FILE: flags, MONOLITH_URL: monolith.url };
    // No good version was ever loaded here: nothing to start on.
    rmSync(`${flags}.last-good`, { force: true });
    writeFileSync(flags, '{"version": 2, "features": [');
    await expectRefusal(run(env), ['flags.json is invalid', 'no last good version at']);
    // A good start keeps a copy; a restart during a bad hand edit runs on it.
    writeFileSync(flags, JSON.stringify(buildFlagsDocument(monolithOnly())));
    await expectServesThenStops(run(env), async () => undefined);
    writeFileSync(flags, '{"version": 2, "features": [');
    const output = await expectServesThenStops(run(env), async (url) => {
      const ready = await (await fetch(`${url}/health/ready`)).json();
      expect(ready).toMatchObject({ status: 'ready', checks: { flags: 'degraded', routes: 'ok' } });
      const admin = (await (await fetch(`${url}/_edge/capabilities`)).json()) as { flags: unknown };
      expect(admin.flags).toMatchObject({ fromBackup: `${flags}.last-good`, lastError: expect.stringContaining('not valid JSON') });
      expect((await fetch(`${url}/api/payments/p1`)).headers.get('x-strangler-target')).toBe('monolith');
    });
    expect(output).toContain('STARTED ON ITS LAST GOOD VERSION');
  });

  it('starts with the shipped routes file, proxies, and exits 0 on SIGTERM', async () => {
    const proc = run({
      PORT: '0',
      ROUTES_FILE: path.resolve(__dirname, '../routes.json'), ROUTES_BACKUP_FILE: path.join(dir(), 'routes.last-good'),
      FLAGS_FILE: path.join(dir(), 'flags.json'),
      MONOLITH_URL: monolith.url,
      EDGE_ADMIN_TOKEN: 'process-test-admin-token-0123456789abcdef',
    });
    await expectServesThenStops(proc, async (url) => {
      const proxied = await fetch(`${url}/api/payments/p1`);
      expect([proxied.status, proxied.headers.get('x-strangler-target'), proxied.headers.get('x-upstream')]).toEqual([200, 'monolith', 'monolith']);
    });
  });

  const shipped = () => ({ PORT: '0', ROUTES_FILE: path.resolve(__dirname, '../routes.json'), ROUTES_BACKUP_FILE: path.join(dir(), 'routes.last-good'), FLAGS_FILE: path.join(dir(), 'flags.json'), MONOLITH_URL: monolith.url });

  it('refuses open admin endpoints on a listener other machines can reach (issue #18)', async () => {
    await expectRefusal(run(shipped()), ['EDGE_ADMIN_TOKEN: is required while the admin endpoints listen on a non-loopback address']);
    await expectRefusal(run({ ...shipped(), HOST: '127.0.0.1', EDGE_ADMIN_PORT: '0', EDGE_ADMIN_HOST: '0.0.0.0' }), ['EDGE_ADMIN_TOKEN: is required']);
  });

  it('opens them without a token only on a loopback-only listener, and says so', async () => {
    const output = await expectServesThenStops(run({ ...shipped(), HOST: '127.0.0.1' }), async (url) => {
      expect((await fetch(`${url}/_edge/capabilities`)).status).toBe(200);
    });
    expect(output).toContain('EDGE_ADMIN_TOKEN is not set: the /_edge/* admin endpoints are open to anyone on this machine');
  });

  it('refuses a development secret this repository published, unless in development mode', async () => {
    const published = 'strangler-dev-edge-admin-token-0123456789';
    await expectRefusal(run({ ...shipped(), EDGE_ADMIN_TOKEN: published }), ['EDGE_ADMIN_TOKEN: holds a development secret published in this repository'], [published]);
    await expectServesThenStops(run({ ...shipped(), EDGE_ADMIN_TOKEN: published, STRANGLER_DEV_MODE: 'true' }), async (url) => {
      expect((await fetch(`${url}/_edge/capabilities`, { headers: { authorization: `Bearer ${published}` } })).status).toBe(200);
    });
  });

  it('serves /_edge/* and /metrics only on the admin port when it has one (what docker-compose runs)', async () => {
    const token = 'process-test-admin-token-0123456789abcdef';
    const proc = run({ ...shipped(), EDGE_ADMIN_TOKEN: token, EDGE_ADMIN_PORT: '0', EDGE_ADMIN_HOST: '127.0.0.1' });
    monolith.requests.length = 0;
    await expectServesThenStops(proc, async (url) => {
      const adminPort = /"admin":\{"port":(\d+)/.exec(proc.output())?.[1];
      expect(adminPort).toBeDefined();
      const admin = `http://127.0.0.1:${adminPort}`;
      for (const path of ['/metrics', '/_edge/capabilities', '//metrics', '/METRICS']) {
        const answer = await fetch(`${url}${path}`);
        expect([path, answer.status, answer.headers.get('x-strangler-target')]).toEqual([path, 404, null]);
      }
      expect(monolith.requests).toEqual([]);
      expect(await (await fetch(`${admin}/metrics`)).text()).toContain('edge_requests_total');
      expect((await fetch(`${admin}/_edge/capabilities`)).status).toBe(401);
      expect((await fetch(`${admin}/_edge/capabilities`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${admin}/health/ready`)).status).toBe(200);
      // The admin listener proxies nothing.
      expect((await fetch(`${admin}/api/payments/p1`)).status).toBe(404);
      expect(monolith.requests).toEqual([]);
    });
  });
});
