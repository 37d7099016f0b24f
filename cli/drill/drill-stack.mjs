// The drill's stack: every deployable as a real process (logs to files), MariaDB databases of its own,
// a real Unleash server (the edge's test harness entry, unleash-server 8.2.0 on PostgreSQL).
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { ROOT, freePort, waitUntilReady } from '../../bench/stack-processes.mjs';

export { ROOT, freePort };

export const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const STRANGLER = path.join(ROOT, 'cli/bin/strangler.js');

export const logDir = mkdtempSync(path.join(tmpdir(), 'strangler-drill-'));

/** Three fresh databases on the MariaDB server; dropped by `drop()`. */
export async function createDatabases() {
  const prefix = `drill_${randomBytes(4).toString('hex')}`;
  const names = { monolith: `${prefix}_monolith`, auth: `${prefix}_auth`, payments: `${prefix}_payments` };
  const admin = knex({ client: 'mysql2', connection: { uri: MYSQL_URL }, pool: { min: 0, max: 1 } });
  try {
    for (const name of Object.values(names)) await admin.raw(`create database \`${name}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
  const url = (name) => {
    const u = new URL(MYSQL_URL);
    u.pathname = `/${name}`;
    return u.toString();
  };
  return {
    urls: { monolith: url(names.monolith), auth: url(names.auth), payments: url(names.payments) },
    async drop() {
      const dropper = knex({ client: 'mysql2', connection: { uri: MYSQL_URL }, pool: { min: 0, max: 1 } });
      try {
        for (const name of Object.values(names)) await dropper.raw(`drop database if exists \`${name}\``);
      } finally {
        await dropper.destroy();
      }
    },
  };
}

/**
 * A real Unleash server in a child process, through the edge's test harness entry (ESM-only
 * unleash-server, its own PostgreSQL database, an admin token set at start).
 */
export async function startUnleash() {
  const database = `unleash_test_drill_${randomBytes(5).toString('hex')}`;
  const adminToken = `*:*.${randomBytes(24).toString('hex')}`;
  const entry = path.join(ROOT, 'edge/src/testing/unleash-server-entry.mjs');
  const env = { ...process.env, UNLEASH_TEST_PG_URL: POSTGRES_URL, UNLEASH_TEST_DATABASE: database, INIT_ADMIN_API_TOKENS: adminToken, SEND_TELEMETRY: 'false', CHECK_VERSION: 'false', LOG_LEVEL: 'error' };
  delete env.NODE_ENV;
  delete env.DATABASE_URL;
  const log = createWriteStream(path.join(logDir, 'unleash.log'));
  const child = fork(entry, [], { env, execArgv: ['--no-deprecation'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Unleash did not start within 90 s')), 90_000);
    child.on('message', (message) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`Unleash failed to start: ${message.message}`));
      }
    });
    void exited.then(() => reject(new Error(`Unleash exited during start (see ${path.join(logDir, 'unleash.log')})`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const response = await fetch(`${url}/api/admin/api-tokens`, {
    method: 'POST',
    headers: { authorization: adminToken, 'content-type': 'application/json' },
    body: JSON.stringify({ tokenName: 'drill-edge', type: 'backend', environment: 'development', projects: ['*'] }),
  });
  if (!response.ok) throw new Error(`creating a backend token: ${response.status} ${await response.text()}`);
  const backendToken = (await response.json()).secret;
  return {
    url,
    adminToken,
    backendToken,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}

/**
 * One long-running process of the stack. `kill()` is SIGKILL (no shutdown handler runs), `start()`
 * starts it again with the same command, environment and port.
 */
export function managedProcess(name, args, env, port) {
  const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  let child;
  let expectedExit = false;
  const unexpected = [];
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    unexpectedExits: unexpected,
    logFile: path.join(logDir, `${name}.log`),
    async start() {
      expectedExit = false;
      child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      child.once('exit', (code, signal) => {
        if (!expectedExit) unexpected.push(`${name} exited on its own (${code ?? signal})`);
      });
      await waitUntilReady(this.url, 30_000);
      return child.pid;
    },
    /** SIGKILL; resolves once the process is gone. */
    kill() {
      return this.signal('SIGKILL');
    },
    stop() {
      return this.signal('SIGTERM');
    },
    signal(signal) {
      expectedExit = true;
      return new Promise((resolve) => {
        if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      });
    },
    pid: () => child?.pid,
  };
}

/** `strangler <args>` as the operator runs it; resolves with its exit code and output. */
export function strangler(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [STRANGLER, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function tailOf(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
