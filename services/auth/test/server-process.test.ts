import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { redisAvailable, TEST_REDIS_URL } from '@strangler/kit/testing/redis';

// Runs the compiled server exactly as `npm run start:auth` does (`npm test` builds first).
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

describe('the auth service process', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'auth-process-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start on bad config, naming every variable and never printing a secret', async () => {
    const proc = run({
      PORT: 'http',
      DATABASE_URL: path.join(dir, 'a.sqlite'),
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '0',
      AUTH_PEERS: 'ftp://monolith',
      INTERNAL_API_TOKEN: 'too-short-secret',
    });
    expect(await proc.exit).toBe(1);
    expect(proc.output()).toContain('PORT="http"');
    expect(proc.output()).toContain('LOGIN_MAX_FAILURES_PER_ACCOUNT="0"');
    expect(proc.output()).toContain('AUTH_PEERS');
    expect(proc.output()).toContain('INTERNAL_API_TOKEN="[redacted]"');
    expect(proc.output()).not.toContain('too-short-secret');
  });

  it('refuses a throttle Redis URL that is not redis://, or a window Redis cannot keep', async () => {
    const proc = run({ DATABASE_URL: path.join(dir, 'a.sqlite'), AUTH_THROTTLE_REDIS_URL: 'http://127.0.0.1:6379', LOGIN_THROTTLE_WINDOW_MS: '1500' });
    expect(await proc.exit).toBe(1);
    expect(proc.output()).toContain('AUTH_THROTTLE_REDIS_URL="http://127.0.0.1:6379": must be a redis:// or rediss:// URL');
    const window = run({ DATABASE_URL: path.join(dir, 'a.sqlite'), AUTH_THROTTLE_REDIS_URL: 'redis://127.0.0.1:6379', LOGIN_THROTTLE_WINDOW_MS: '1500' });
    expect(await window.exit).toBe(1);
    expect(window.output()).toContain('LOGIN_THROTTLE_WINDOW_MS="1500": must be a whole number of seconds');
  });

  it('does not start when the throttle Redis cannot be reached', async () => {
    const proc = run({ PORT: '0', DATABASE_URL: path.join(dir, 'a.sqlite'), AUTH_THROTTLE_REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'silent' });
    expect(await proc.exit).toBe(1);
    expect(proc.output()).toContain("cannot reach the login throttle's Redis (AUTH_THROTTLE_REDIS_URL)");
    expect(proc.output()).not.toContain('listening');
  });

  it('migrates an empty SQLite database, serves, and exits 0 on SIGTERM', async () => {
    const proc = run({ PORT: '0', DATABASE_URL: path.join(dir, 'nested', 'auth.sqlite') });
    await waitFor(() => /listening on http:\/\/localhost:(\d+)/.test(proc.output()));
    const port = /listening on http:\/\/localhost:(\d+)/.exec(proc.output())![1];
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    const registered = await fetch(`http://127.0.0.1:${port}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'proc@example.com', password: 'password1', name: 'P' }),
    });
    expect(registered.status).toBe(201);
    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
    expect(proc.output()).toContain('"msg":"stopped"');
    expect(proc.output()).toContain('"service":"auth-service"');
  });

  (redisAvailable() ? it : it.skip)('counts login failures in Redis when configured, and closes it on SIGTERM', async () => {
    const proc = run({ PORT: '0', DATABASE_URL: path.join(dir, 'auth.sqlite'), AUTH_THROTTLE_REDIS_URL: TEST_REDIS_URL, LOGIN_THROTTLE_WINDOW_MS: '2000' });
    await waitFor(() => /listening on http:\/\/localhost:(\d+)/.test(proc.output()));
    expect(proc.output()).toContain('"loginThrottle":"redis"');
    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
    expect(proc.output()).toContain('"msg":"stopped"');
  });
});
