import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

export type Dialect = 'mysql' | 'sqlite';

export function dialectOf(databaseUrl: string): Dialect {
  return /^mysql:\/\//i.test(databaseUrl) ? 'mysql' : 'sqlite';
}

/** A database URL fit for logs and messages: a MySQL URL's password masked (a SQLite path has none). */
export function describeDatabaseUrl(url: string): string {
  if (dialectOf(url) !== 'mysql') return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'mysql://(unparseable URL)';
  }
}

const toStderr = (message: unknown) => process.stderr.write(`knex: ${String(message)}\n`);
/** knex logs to stdout by default, which would interleave with a CLI's output and the JSON logs. */
const knexLog = { warn: toStderr, error: toStderr, deprecate: toStderr, debug: () => undefined };

/** Turns `DATABASE_URL` into a knex config: mysql2 for `mysql://`, better-sqlite3 for a file path. */
export function knexConfigFor(databaseUrl: string, options: { poolMax?: number } = {}): Knex.Config {
  if (dialectOf(databaseUrl) === 'mysql') {
    const url = new URL(databaseUrl);
    return {
      client: 'mysql2',
      log: knexLog,
      connection: {
        host: url.hostname,
        port: url.port ? Number(url.port) : 3306,
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.replace(/^\//, ''),
        // DECIMAL stays a string (never a float) and DATETIMEs are UTC.
        decimalNumbers: false,
        supportBigNumbers: true,
        bigNumberStrings: true,
        timezone: 'Z',
        charset: 'utf8mb4',
        connectTimeout: 5_000,
      },
      pool: { min: 0, max: options.poolMax ?? 10 },
      acquireConnectionTimeout: 10_000,
    };
  }
  if (databaseUrl !== ':memory:') mkdirSync(path.dirname(path.resolve(databaseUrl)), { recursive: true });
  return {
    client: 'better-sqlite3',
    log: knexLog,
    connection: { filename: databaseUrl },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(connection: { pragma: (sql: string) => unknown }, done: (error: Error | null, connection: unknown) => void) {
        connection.pragma('journal_mode = WAL');
        connection.pragma('foreign_keys = ON');
        connection.pragma('busy_timeout = 5000');
        done(null, connection);
      },
    },
  };
}
