import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect } from '@jest/globals';
import { spawnDeployable, type DeployableProcess } from './deployable-process';

export interface ProcessTestContext {
  // Properties, not methods: tests destructure them (`({ run, dir }) => …`).
  /** A fresh directory for each test (databases, routes and flags files), removed after it. */
  dir: () => string;
  /** Starts the deployable's compiled server with `env` (and PATH) only. */
  run: (env: Record<string, string>) => DeployableProcess;
}

/** Tests of a deployable run as a process from its compiled `server` (`npm test` builds first). */
export function describeDeployableProcess(name: string, server: string, tests: (context: ProcessTestContext) => void): void {
  describe(name, () => {
    let dir: string | undefined;
    const started: DeployableProcess[] = [];
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'deployable-process-'));
    });
    afterEach(async () => {
      // A test that failed half-way leaves no process behind.
      for (const proc of started.splice(0)) {
        if (proc.child.exitCode === null && proc.child.signalCode === null) {
          proc.child.kill('SIGKILL');
          await proc.exit;
        }
      }
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });
    tests({
      dir: () => {
        if (dir === undefined) throw new Error('dir() is per test: call it inside a test or a beforeEach');
        return dir;
      },
      run: (env) => {
        const proc = spawnDeployable(server, env);
        started.push(proc);
        return proc;
      },
    });
  });
}

/** It exits 1 without serving, its output saying each of `says` and none of `neverSays` (secrets). */
export async function expectRefusal(proc: DeployableProcess, says: Array<string | RegExp>, neverSays: string[] = []): Promise<void> {
  expect(await proc.exit).toBe(1);
  for (const said of says) {
    if (typeof said === 'string') expect(proc.output()).toContain(said);
    else expect(proc.output()).toMatch(said);
  }
  for (const secret of neverSays) expect(proc.output()).not.toContain(secret);
}

/**
 * It listens, is ready, serves what `exercise` asks of it at its base URL, and on SIGTERM stops
 * cleanly with exit code 0. Returns everything it wrote.
 */
export async function expectServesThenStops(proc: DeployableProcess, exercise: (baseUrl: string) => Promise<void>): Promise<string> {
  const baseUrl = await proc.listening();
  const ready = await fetch(`${baseUrl}/health/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: 'ready' });
  await exercise(baseUrl);
  proc.child.kill('SIGTERM');
  expect(await proc.exit).toBe(0);
  expect(proc.output()).toContain('"msg":"stopped"');
  return proc.output();
}
