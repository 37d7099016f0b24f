import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newInternalToken, spawnDeployable, type DeployableProcess } from '@strangler/kit/testing';

const ROOT = path.resolve(__dirname, '../../../..');
const SERVERS = {
  monolith: path.join(ROOT, 'monolith/dist/server.js'),
  auth: path.join(ROOT, 'services/auth/dist/server.js'),
  payments: path.join(ROOT, 'services/payments/dist/server.js'),
};
export type Deployable = keyof typeof SERVERS;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface StackProcesses {
  url: Record<Deployable, string>;
  proc: Partial<Record<Deployable, DeployableProcess>>;
  /** (Re)starts one deployable with the stack's wiring plus `env`. */
  start(name: Deployable, env?: Record<string, string>): Promise<DeployableProcess>;
  kill(name: Deployable, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The monolith, the auth service and (optionally) the payments service as their compiled servers,
 * the way `npm start` wires them: each side lists the other in AUTH_PEERS, the payments service both,
 * one internal secret, SQLite files in a directory of their own. Ports are chosen up front so each
 * process can name its peers before they listen (`npm test` builds the servers first).
 */
export async function stackProcesses(names: Deployable[], env: Partial<Record<Deployable, Record<string, string>>> = {}): Promise<StackProcesses> {
  const dir = mkdtempSync(path.join(tmpdir(), 'auth-stack-'));
  const ports = { monolith: await freePort(), auth: await freePort(), payments: await freePort() };
  const url = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`])) as Record<Deployable, string>;
  const peers: Record<Deployable, string> = { monolith: url.auth, auth: url.monolith, payments: `${url.auth},${url.monolith}` };
  const internalToken = newInternalToken();
  const proc: Partial<Record<Deployable, DeployableProcess>> = {};
  const stack: StackProcesses = {
    url,
    proc,
    async start(name, extra = {}) {
      const started = spawnDeployable(SERVERS[name], {
        PORT: String(ports[name]),
        DATABASE_URL: path.join(dir, `${name}.sqlite`),
        AUTH_PEERS: peers[name],
        INTERNAL_API_TOKEN: internalToken,
        LOG_LEVEL: 'info',
        ...env[name],
        ...extra,
      });
      proc[name] = started;
      await started.listening(20_000);
      return started;
    },
    async kill(name, signal = 'SIGKILL') {
      const running = proc[name];
      if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
      running.child.kill(signal);
      await running.exit;
    },
    async stop() {
      await Promise.all((Object.keys(proc) as Deployable[]).map((name) => stack.kill(name)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // Sequentially: each migrates its own SQLite file at start.
    for (const name of names) await stack.start(name);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** Log lines a process wrote at warn level or above (pino levels 40+). */
export function warnings(processOutput: string): string[] {
  return processOutput.split('\n').filter((line) => /"level":(4|5|6)\d/.test(line));
}
