import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Knex } from 'knex';
import { createDatabase, type Database } from '@strangler/kit';
import { createTestDatabase, type TestDatabase } from '@strangler/kit/testing';
import { authMigrations, migrateLatest, monolithMigrations, paymentsMigrations } from '@strangler/migrations';
import type { Capability } from '../../src/data/capabilities';
import { MANIFESTS_DIR, shippedCapability } from './shipped-capabilities';
import { installCapture } from '../../src/data/capture/capture-installer';
import { ChangelogChangeSource } from '../../src/data/capture/changelog-change-source';
import { runBackfill, type BackfillOptions } from '../../src/data/backfill/backfill';
import { SyncWorker, type SyncWorkerOptions } from '../../src/data/sync/sync-worker';
import { runVerify } from '../../src/data/verify/verify';
import { sourceOf, targetOf, type Direction, type SideName } from '../../src/data/types';

export const ROOT = path.resolve(__dirname, '../../..');
export const DATA_CLI = path.join(ROOT, 'data-engine/dist/cli/data.js');

/** A monolith database and a service database for one capability, migrated as production does. */
export interface Harness {
  capability: Capability;
  dialect: 'sqlite' | 'mysql';
  monolith: Database;
  service: Database;
  urls: Record<SideName, string>;
  /** Environment for the compiled CLI pointed at these databases. */
  env: Record<string, string>;
  knex(side: SideName): Knex;
  /** A separate connection pool to a side, as an application process has (closed with the harness). */
  connect(side: SideName): Knex;
  installCapture(sides?: SideName[]): Promise<void>;
  backfill(direction: Direction, options?: Partial<BackfillOptions>): ReturnType<typeof runBackfill>;
  worker(direction: Direction, options?: Partial<SyncWorkerOptions>): Promise<SyncWorker>;
  /** Runs both directions' workers until neither has anything left. */
  settle(directions?: Direction[]): Promise<void>;
  verify(): ReturnType<typeof runVerify>;
  pending(side: SideName): Promise<number>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Use databases someone else already created and migrated (e.g. a running app's). */
  existing?: { monolith: { db: Database; url: string }; service: { db: Database; url: string } };
}

export async function createHarness(dialect: 'sqlite' | 'mysql', capabilityName: 'auth' | 'payments', options: HarnessOptions = {}): Promise<Harness> {
  const capability = shippedCapability(capabilityName);
  const owned: TestDatabase[] = [];
  let monolith: Database;
  let service: Database;
  let urls: Record<SideName, string>;
  if (options.existing) {
    monolith = options.existing.monolith.db;
    service = options.existing.service.db;
    urls = { monolith: options.existing.monolith.url, service: options.existing.service.url };
  } else {
    const [m, s] = await Promise.all([createTestDatabase(dialect), createTestDatabase(dialect)]);
    owned.push(m, s);
    monolith = createDatabase(m.url);
    service = createDatabase(s.url);
    await Promise.all([migrateLatest(monolith.knex, monolithMigrations), migrateLatest(service.knex, capabilityName === 'auth' ? authMigrations : paymentsMigrations)]);
    urls = { monolith: m.url, service: s.url };
  }
  const sides = { monolith, service };
  const workers: SyncWorker[] = [];
  const extra: Database[] = [];
  const serviceVariable = capabilityName === 'auth' ? 'AUTH_DATABASE_URL' : 'PAYMENTS_DATABASE_URL';
  const harness: Harness = {
    capability,
    dialect,
    monolith,
    service,
    urls,
    env: { MANIFESTS_DIR, MONOLITH_DATABASE_URL: urls.monolith, [serviceVariable]: urls.service, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' },
    knex: (side) => sides[side].knex,
    connect(side) {
      const db = createDatabase(urls[side]);
      extra.push(db);
      return db.knex;
    },
    async installCapture(which = ['monolith', 'service']) {
      for (const side of which) await installCapture(sides[side].knex, capability, side);
    },
    backfill: (direction, extra = {}) =>
      runBackfill({ capability, direction, source: sides[sourceOf(direction)].knex, target: sides[targetOf(direction)].knex, ...extra }),
    async worker(direction, extra = {}) {
      // Connections of its own, as the sync service gives each worker: it reads its source inside
      // its target transactions, so two SQLite workers sharing single-connection pools would wait
      // on each other. (Databases someone else owns have no URL here: those workers share, and
      // run one at a time.)
      const own = (side: SideName) => (options.existing ? sides[side].knex : harness.connect(side));
      // Quarantined entities are due again at once (production waits 30 s, doubling).
      const worker = new SyncWorker({ capability, direction, source: own(sourceOf(direction)), target: own(targetOf(direction)), quarantineRetryMs: 0, ...extra });
      await worker.start();
      workers.push(worker);
      return worker;
    },
    async settle(directions = ['to-service', 'to-monolith']) {
      const settlers = await Promise.all(directions.map((direction) => harness.worker(direction)));
      for (let quiet = 0; quiet < 2; ) {
        let consumed = 0;
        for (const worker of settlers) consumed += await worker.drain();
        quiet = consumed === 0 ? quiet + 1 : 0;
      }
    },
    verify: () => runVerify({ capability, monolith: monolith.knex, service: service.knex, recheckDelayMs: 50, rechecks: 2 }),
    async pending(side) {
      const knex = sides[side].knex;
      if (!(await knex.schema.hasTable(`sync_changelog_${capability.name}`))) return 0;
      return new ChangelogChangeSource(knex, capability.name, capability.mappings.map((m) => m.name)).pendingCount();
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.stop()));
      await Promise.all(extra.map((db) => db.close()));
      if (!options.existing) {
        await Promise.all([monolith.close(), service.close()]);
        await Promise.all(owned.map((db) => db.drop()));
      }
    },
  };
  return harness;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  exited: Promise<CliResult>;
}

const running = new Set<ChildProcess>();

/** Kills (SIGKILL) every CLI child still running: call it in afterEach, so a failed test leaks none. */
export function killStrayChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** The compiled CLI as a child process (`npm test` builds it first with tsc -b). */
export function spawnCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [DATA_CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, output: () => ({ stdout, stderr }), exited };
}

export const runCli = (args: string[], env: Record<string, string>): Promise<CliResult> => spawnCli(args, env).exited;

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
