import { spawn, type ChildProcess } from 'node:child_process';

/** A deployable's compiled server running as its own process, the way `npm run start:*` runs it. */
export interface DeployableProcess {
  child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Its exit code (null when a signal ended it). */
  exit: Promise<number | null>;
  /** Waits for its `listening on http://localhost:<port>` line and returns its base URL on 127.0.0.1. */
  listening(timeoutMs?: number): Promise<string>;
}

const LISTENING = /listening on http:\/\/localhost:(\d+)/;

/** Starts `server` (a compiled `dist/server.js`) with `env` and nothing else but PATH. */
export function spawnDeployable(server: string, env: Record<string, string>): DeployableProcess {
  const child = spawn(process.execPath, [server], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  return {
    child,
    output: () => output,
    exit,
    async listening(timeoutMs = 10_000) {
      const started = Date.now();
      for (;;) {
        const port = LISTENING.exec(output)?.[1];
        if (port !== undefined) return `http://127.0.0.1:${port}`;
        if (exited || Date.now() - started > timeoutMs) {
          throw new Error(`${server} is not listening (${exited ? 'it exited' : `timed out after ${timeoutMs} ms`}); its output:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}
