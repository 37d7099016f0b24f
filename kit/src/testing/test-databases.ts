import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knex from 'knex';

/** Where tests find MariaDB/MySQL; the default is the local server CI runs. */
export const TEST_MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDatabase {
  dialect: 'sqlite' | 'mysql';
  /** A DATABASE_URL for a database that exists only for this test file. */
  url: string;
  drop(): Promise<void>;
}

async function probeMysql(): Promise<boolean> {
  const admin = knex({ client: 'mysql2', connection: { uri: TEST_MYSQL_URL, connectTimeout: 2_000 } as never, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await admin.destroy();
  }
}

async function createSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'strangler-test-'));
  return {
    dialect: 'sqlite',
    url: path.join(dir, 'test.sqlite'),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function createMysql(): Promise<TestDatabase> {
  const name = `strangler_t_${randomBytes(6).toString('hex')}`;
  const admin = knex({ client: 'mysql2', connection: { uri: TEST_MYSQL_URL } as never, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`create database \`${name}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(TEST_MYSQL_URL);
  url.pathname = `/${name}`;
  return {
    dialect: 'mysql',
    url: url.toString(),
    async drop() {
      const dropper = knex({ client: 'mysql2', connection: { uri: TEST_MYSQL_URL } as never, pool: { min: 0, max: 1 } });
      try {
        await dropper.raw(`drop database if exists \`${name}\``);
      } finally {
        await dropper.destroy();
      }
    },
  };
}

const AVAILABILITY_VARIABLE = 'STRANGLER_TEST_MYSQL';

/**
 * Jest global setup calls this once: it probes MariaDB/MySQL and records the answer in the
 * environment the test workers inherit. Under CI=true an unreachable server fails the run.
 */
export async function recordMysqlAvailability(): Promise<void> {
  const reachable = await probeMysql();
  process.env[AVAILABILITY_VARIABLE] = reachable ? 'available' : 'unavailable';
  if (!reachable && process.env.CI === 'true') {
    throw new Error(`CI=true but MariaDB/MySQL is not reachable at ${TEST_MYSQL_URL}; start it (see .ci/run).`);
  }
  if (!reachable) {
    process.stderr.write(`\n[strangler] MariaDB/MySQL not reachable at ${TEST_MYSQL_URL}: MySQL variants of the component tests are skipped (CI=true makes this a failure).\n`);
  }
}

/** The dialects component tests run on: SQLite always, MySQL when global setup found it. */
export function testDialects(): Array<'sqlite' | 'mysql'> {
  const availability = process.env[AVAILABILITY_VARIABLE];
  if (availability === 'available') return ['sqlite', 'mysql'];
  if (availability === undefined && process.env.CI === 'true') {
    throw new Error('test databases were not probed: run tests through the root jest config');
  }
  return ['sqlite'];
}

export function createTestDatabase(dialect: 'sqlite' | 'mysql'): Promise<TestDatabase> {
  return dialect === 'sqlite' ? createSqlite() : createMysql();
}
