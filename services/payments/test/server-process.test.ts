import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startSessionIssuer, TEST_INTERNAL_TOKEN, type RunningSessionIssuer } from './support/start-payments-service';

// Runs the compiled server exactly as `npm run start:payments` does (`npm test` builds first).
const SERVER = path.resolve(__dirname, '../dist/server.js');

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [SERVER], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the payments service process', () => {
  let dir: string;
  let monolith: RunningSessionIssuer;
  beforeAll(async () => {
    monolith = await startSessionIssuer('sqlite');
  });
  afterAll(async () => {
    await monolith?.stop();
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'payments-process-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start on bad config, naming every variable', async () => {
    const proc = run({ PORT: 'http', DATABASE_URL: path.join(dir, 'p.sqlite'), AUTH_PEERS: 'ftp://x', INTERNAL_API_TOKEN: 'short' });
    expect(await proc.exit).toBe(1);
    expect(proc.output()).toContain('PORT="http"');
    expect(proc.output()).toContain('AUTH_PEERS="ftp://x"');
    expect(proc.output()).toContain('INTERNAL_API_TOKEN="[redacted]"');
    expect(proc.output()).not.toContain('short');
  });

  it('refuses to start without peers to check sessions with', async () => {
    const proc = run({ PORT: '0', DATABASE_URL: path.join(dir, 'p.sqlite') });
    expect(await proc.exit).toBe(1);
    expect(proc.output()).toMatch(/AUTH_PEERS: is required/);
    expect(proc.output()).toMatch(/INTERNAL_API_TOKEN: is required/);
  });

  it('migrates an empty SQLite database, serves payments for a monolith session, and exits 0 on SIGTERM', async () => {
    const proc = run({
      PORT: '0',
      DATABASE_URL: path.join(dir, 'nested', 'p.sqlite'),
      AUTH_PEERS: monolith.url,
      INTERNAL_API_TOKEN: TEST_INTERNAL_TOKEN,
    });
    await waitFor(() => /listening on http:\/\/localhost:(\d+)/.test(proc.output()));
    const port = /listening on http:\/\/localhost:(\d+)/.exec(proc.output())![1];
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    const { token } = await monolith.newUser();
    const created = await fetch(`http://127.0.0.1:${port}/api/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ amount: '19.99', currency: 'USD' }),
    });
    expect(created.status).toBe(201);
    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
    expect(proc.output()).toContain('"msg":"stopped"');
    expect(proc.output()).not.toContain(token);
  });
});
