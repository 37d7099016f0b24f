import { randomBytes, randomInt } from 'node:crypto';
import { ConfigError, createDatabase, describeDatabaseUrl, type Database } from '@strangler/kit';
import { migrateLatest, monolithMigrations } from '@strangler/migrations';
import { DEFAULT_SEED_PASSWORD, SEED_USAGE, parseSeedArgs, type SeedOptions } from './seed-args';
import { readSeedConfig } from './seed-config';
import { seedDatabase } from './seed-database';
import { formatProgress, formatSummary } from './seed-report';

export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes: 0 done, 1 configuration/database failure, 2 bad arguments. */
export async function runSeedCommand(argv: readonly string[], env: Record<string, string | undefined>, io: CommandOutput): Promise<number> {
  const args = parseSeedArgs(argv);
  if (args.kind === 'help') {
    io.out(`${SEED_USAGE}\n`);
    return 0;
  }
  if (args.kind === 'error') {
    io.err(`seed: ${args.message}\n\n${SEED_USAGE}\n`);
    return 2;
  }

  let url: string;
  let db: Database;
  try {
    url = readSeedConfig(env).DATABASE_URL;
    db = createDatabase(url, { poolMax: 1 });
  } catch (error) {
    io.err(`seed: ${error instanceof ConfigError ? error.message : `cannot open the database: ${(error as Error).message}`}\n`);
    return 1;
  }

  const where = `${describeDatabaseUrl(url)} (${db.dialect})`;
  try {
    try {
      await db.knex.raw('select 1');
    } catch (error) {
      io.err(`seed: cannot reach the database at ${where}: ${connectionProblem(error)}\n`);
      return 1;
    }
    // SQLite's default 2 MB page cache makes random-UUID inserts spill to disk past a few hundred
    // thousand rows (1M payments: 47 s → 33 s with this). A ceiling, not an allocation, and only
    // for this process's connection.
    if (db.dialect === 'sqlite') await db.knex.raw('pragma cache_size = -262144');
    const applied = await migrateLatest(db.knex, monolithMigrations);
    io.out(`seed: database ${where}, migrations ${applied.length ? `applied: ${applied.join(', ')}` : 'up to date'}\n`);

    const summary = await seedDatabase(db, planFor(args.options), { onProgress: (progress) => io.out(formatProgress(progress)) });
    io.out(formatSummary(summary, loginHint(summary.exampleEmail, args.options)));
    return 0;
  } catch (error) {
    io.err(`seed: failed on ${where}: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

function planFor(options: SeedOptions) {
  return {
    ...options,
    seed: options.seed ?? String(randomInt(0, 2 ** 31)),
    runId: randomBytes(4).toString('hex'),
    now: new Date(),
  };
}

function loginHint(email: string | null, options: SeedOptions): string | null {
  if (!email) return null;
  const password = options.password === DEFAULT_SEED_PASSWORD ? `"${DEFAULT_SEED_PASSWORD}"` : 'the --password given';
  return `every seeded user logs in with ${password}, e.g. ${email}`;
}

function connectionProblem(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === 'ER_BAD_DB_ERROR') return `${e.message} (create it first, e.g. mysql -uroot -e 'create database <name>')`;
  return e.message ?? String(error);
}
