import { existsSync } from 'node:fs';
import knex, { type Knex } from 'knex';
import { describeDatabaseUrl, dialectOf, knexConfigFor, type Database, type Logger } from '@strangler/kit';
import type { Capability } from './capabilities/capability';
import { DataCommandError } from './command-error';
import { sideOf } from './mapping';
import type { SideName } from './types';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (${what})`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * kit's createDatabase, with knex's own console warnings (a refused connection, say) sent to the
 * logger instead, so a command's error output stays one sentence.
 */
export function createEngineDatabase(url: string, options: { poolMax?: number; logger?: Logger } = {}): Database {
  const log = (level: 'warn' | 'error' | 'debug') => (message: unknown) => options.logger?.[level]({ component: 'knex' }, String(message));
  const instance = knex({ ...knexConfigFor(url, options), log: { warn: log('warn'), error: log('error'), deprecate: log('warn'), debug: log('debug') } });
  return {
    knex: instance,
    dialect: dialectOf(url),
    readiness: { name: 'database', check: async () => void (await instance.raw('select 1')) },
    close: () => instance.destroy(),
  };
}

/**
 * Opens a database and proves it answers, or fails with one sentence naming it: a SQLite file that
 * does not exist is not created (that would only hide a wrong path behind "no such table").
 */
export async function openDatabase(label: string, url: string, options: { poolMax?: number; logger?: Logger } = {}): Promise<Database> {
  if (dialectOf(url) === 'sqlite' && url !== ':memory:' && !existsSync(url)) {
    throw new DataCommandError(`the ${label} database ${url} does not exist: check the URL in the manifest's databases, or create it (the shipped example's: npm run migrate)`);
  }
  const db = createEngineDatabase(url, options);
  try {
    await withTimeout(db.knex.raw('select 1'), 8_000, 'select 1');
  } catch (error) {
    await db.close().catch(() => undefined);
    const e = error as { code?: string; message?: string };
    throw new DataCommandError(`cannot reach the ${label} database at ${describeDatabaseUrl(url)}: ${e.message ?? String(error)}${e.code ? ` (${e.code})` : ''}`);
  }
  return db;
}

/** Refuses to run against a database whose schema lacks what the capability's mappings need. */
export async function requireSchema(db: Knex, capability: Capability, side: SideName, label: string): Promise<void> {
  const missing: string[] = [];
  for (const mapping of capability.mappings) {
    for (const { table, columns } of sideOf(mapping, side).required) {
      if (!(await db.schema.hasTable(table))) {
        missing.push(`table ${table}`);
        continue;
      }
      for (const column of columns) if (!(await db.schema.hasColumn(table, column))) missing.push(`${table}.${column}`);
    }
  }
  if (missing.length) {
    throw new DataCommandError(`the ${label} database lacks ${[...new Set(missing)].join(', ')}: apply its schema migrations first (the shipped example's: npm run migrate)`);
  }
}
