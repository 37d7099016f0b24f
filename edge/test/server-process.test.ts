import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildFlagsDocument } from '../src/flags';
import { eventually, jsonOf, startUpstream, type TestUpstream } from './support/upstream';
import { monolithOnly } from './support/test-edge';

// Runs the compiled server exactly as `npm run start:edge` does (`npm test` builds first).
const SERVER = path.resolve(__dirname, '../dist/server.js');

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [SERVER], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

describe('the edge process', () => {
  let dir: string;
  let monolith: TestUpstream;
  beforeAll(async () => {
    monolith = await startUpstream({ name: 'monolith' });
  });
  afterAll(() => monolith.stop());
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'edge-process-'));
    writeFileSync(path.join(dir, 'flags.json'), JSON.stringify(buildFlagsDocument(monolithOnly())));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start on bad config, naming the variables', async () => {
    const proc = run({ PORT: 'http', TRUST_PROXY: 'not-an-address', UNLEASH_TIMEOUT_MS: '500' });
    expect(await proc.exit).toBe(1);
    expect(proc.output()).toContain('PORT="http"');
    expect(proc.output()).toContain('TRUST_PROXY="not-an-address"');
    expect(proc.output()).toContain('UNLEASH_TIMEOUT_MS="500": must be at least 1000');
    const unleash = run({ UNLEASH_URL: 'http://unleash:4242/api/' });
    expect(await unleash.exit).toBe(1);
    expect(unleash.output()).toContain('UNLEASH_API_TOKEN: is required when UNLEASH_URL is set');
  });

  it('refuses to start on an invalid routes file, saying what is wrong', async () => {
    writeFileSync(path.join(dir, 'routes.json'), JSON.stringify({ monolith: { url: '${MONOLITH_URL}' }, capabilities: {} }));
    const proc = run({ PORT: '0', ROUTES_FILE: path.join(dir, 'routes.json'), FLAGS_FILE: path.join(dir, 'flags.json') });
    expect(await proc.exit).toBe(1);
    expect(proc.output()).toContain('monolith.url: ${MONOLITH_URL} is not set and has no default');
  });

  it('starts with the shipped routes file, proxies, and exits 0 on SIGTERM', async () => {
    const proc = run({
      PORT: '0',
      ROUTES_FILE: path.resolve(__dirname, '../routes.json'),
      FLAGS_FILE: path.join(dir, 'flags.json'),
      MONOLITH_URL: monolith.url,
      EDGE_ADMIN_TOKEN: 'process-test-admin-token-0123456789abcdef',
    });
    const port = await eventually(() => /listening on http:\/\/localhost:(\d+)/.exec(proc.output())?.[1], 10_000, 25);
    expect(await jsonOf(fetch(`http://127.0.0.1:${port}/health/ready`))).toMatchObject({ status: 'ready' });
    const proxied = await fetch(`http://127.0.0.1:${port}/api/payments/p1`);
    expect([proxied.status, proxied.headers.get('x-strangler-target'), proxied.headers.get('x-upstream')]).toEqual([200, 'monolith', 'monolith']);
    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
    expect(proc.output()).toContain('"msg":"stopped"');
  });
});
