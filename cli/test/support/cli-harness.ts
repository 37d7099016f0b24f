import { EventEmitter } from 'node:events';
import { createDatabase, createLogger, type Database } from '@strangler/kit';
import { createTestDatabase, type TestDatabase } from '@strangler/kit/testing';
import { authMigrations, migrateLatest, monolithMigrations, paymentsMigrations } from '@strangler/migrations';
import path from 'node:path';
import { findCapability, installCapture, loadCapabilities, startSyncService, type ConfiguredCapability, type RunningSyncService } from '@strangler/data-engine';
import { runCli, type CliDeps } from '../../src/cli';

/** The repository's manifests: the shipped auth and payments capabilities. */
export const MANIFESTS_DIR = path.resolve(__dirname, '../../../manifests');

/** A shipped capability as the data engine loads it from its manifest. */
export function shippedCapability(name: 'auth' | 'payments'): ConfiguredCapability {
  const capability = findCapability(loadCapabilities({ dir: MANIFESTS_DIR, env: {} }), name);
  if (!capability) throw new Error(`manifests/${name}.json declares no data`);
  return capability;
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** stdout parsed as JSON (for --json runs). */
  json(): any;
}

/** `strangler <argv>` in-process with this environment only (nothing leaks in from the test's own). */
export async function strangler(argv: string[], env: Record<string, string | undefined>, deps: CliDeps = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(argv, env, { out: (t) => (out += t), err: (t) => (err += t), interactive: false, process: new EventEmitter() as unknown as NodeJS.Process }, deps);
  return { code, out, err, json: () => JSON.parse(out) };
}

/**
 * The three databases of a stack (SQLite), migrated as production does, with change capture installed
 * for both capabilities on both sides: what `npm start` sets up before the sync workers start.
 */
export interface DataSides {
  env: { MONOLITH_DATABASE_URL: string; AUTH_DATABASE_URL: string; PAYMENTS_DATABASE_URL: string };
  monolith: Database;
  auth: Database;
  payments: Database;
  close(): Promise<void>;
}

export async function createDataSides(dialect: 'sqlite' | 'mysql' = 'sqlite'): Promise<DataSides> {
  const created: TestDatabase[] = await Promise.all([createTestDatabase(dialect), createTestDatabase(dialect), createTestDatabase(dialect)]);
  const [m, a, p] = created as [TestDatabase, TestDatabase, TestDatabase];
  const monolith = createDatabase(m.url);
  const auth = createDatabase(a.url);
  const payments = createDatabase(p.url);
  await migrateLatest(monolith.knex, monolithMigrations);
  await migrateLatest(auth.knex, authMigrations);
  await migrateLatest(payments.knex, paymentsMigrations);
  for (const [capability, service] of [[shippedCapability('auth'), auth], [shippedCapability('payments'), payments]] as const) {
    await installCapture(monolith.knex, capability, 'monolith');
    await installCapture(service.knex, capability, 'service');
  }
  return {
    env: { MONOLITH_DATABASE_URL: m.url, AUTH_DATABASE_URL: a.url, PAYMENTS_DATABASE_URL: p.url },
    monolith,
    auth,
    payments,
    async close() {
      await Promise.all([monolith.close(), auth.close(), payments.close()]);
      await Promise.all(created.map((db) => db.drop()));
    },
  };
}

/** A real sync worker (the engine's long-lived service) on port 0, both directions. */
export async function startSyncWorker(sides: DataSides, capability: 'auth' | 'payments'): Promise<RunningSyncService> {
  return startSyncService({
    capability: shippedCapability(capability),
    directions: ['to-service', 'to-monolith'],
    urls: { monolith: sides.env.MONOLITH_DATABASE_URL, service: capability === 'auth' ? sides.env.AUTH_DATABASE_URL : sides.env.PAYMENTS_DATABASE_URL },
    port: 0,
    host: '127.0.0.1',
    authority: 'monolith',
    pollMs: 20,
    logger: createLogger({ name: 'sync', level: 'silent' }),
  });
}

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
