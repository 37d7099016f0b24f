// Starting compiled deployables as child processes for benchmarks and drills.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitUntilReady(url, timeoutMs = 20_000) {
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts `node <entry>` with env; resolves once /health/ready answers. */
export async function startProcess(name, entry, env) {
  const port = env.PORT;
  const child = spawn(process.execPath, [path.join(ROOT, entry)], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  child.once('exit', (code, signal) => {
    if (!child.stopping) process.stderr.write(`${name} exited early (${code ?? signal})\n`);
  });
  await waitUntilReady(url);
  return {
    name,
    url,
    child,
    stop() {
      child.stopping = true;
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
