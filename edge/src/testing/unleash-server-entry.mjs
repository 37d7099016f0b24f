// A real Unleash server for tests, in its own process: unleash-server (8.x) is ESM-only, and Jest runs
// CommonJS. Driven by unleash-server.ts over IPC; never run by hand except for `--drop <database>`.
//
//   env UNLEASH_TEST_PG_URL      server to create the database on (a database URL; its path is ignored)
//   env UNLEASH_TEST_DATABASE    the database this server gets; created here, dropped on stop
//   env UNLEASH_TEST_ADMIN_TOKEN the admin token (format "*:*.<secret>")
//
// Messages to the parent: {type:'ready', port, timings}, {type:'stopped', dropped}, {type:'failed', message}.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// pg comes from unleash-server's own dependencies, so this harness needs nothing the edge does not declare.
const requireFromUnleash = createRequire(fileURLToPath(import.meta.resolve('unleash-server')));
const pg = requireFromUnleash('pg');

const pgUrl = process.env.UNLEASH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const quote = (name) => `"${name.replaceAll('"', '""')}"`;

function adminConnection() {
  const url = new URL(pgUrl);
  url.pathname = '/postgres';
  return new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
}

async function onAdmin(sql) {
  const client = adminConnection();
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const dropDatabase = (name) => onAdmin(`drop database if exists ${quote(name)} with (force)`);

function send(message) {
  if (process.connected) process.send(message);
}

async function run() {
  const database = process.env.UNLEASH_TEST_DATABASE;
  if (!database || !/^unleash_test_[a-z0-9_]+$/.test(database)) throw new Error(`bad UNLEASH_TEST_DATABASE: ${database}`);
  const t0 = performance.now();
  await onAdmin(`create database ${quote(database)}`);
  const t1 = performance.now();

  const { start } = await import('unleash-server');
  const t2 = performance.now();
  const db = new URL(pgUrl);
  const unleash = await start({
    db: {
      host: db.hostname,
      port: Number(db.port || 5432),
      user: decodeURIComponent(db.username || 'postgres'),
      password: decodeURIComponent(db.password),
      database,
      ssl: false,
      pool: { min: 0, max: 4 },
    },
    server: { host: '127.0.0.1', port: 0, gracefulShutdownEnable: false, enableRequestLogger: false },
    versionCheck: { enable: false },
    // No UI login is needed: the admin API is reached with the token created at start.
    authentication: { type: 'open-source', createAdminUser: false },
  });
  const t3 = performance.now();

  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      let dropped = false;
      try {
        await unleash.stop();
      } catch (error) {
        process.stderr.write(`unleash stop failed: ${error?.stack ?? error}\n`);
      }
      try {
        await dropDatabase(database);
        dropped = true;
      } catch (error) {
        process.stderr.write(`drop database ${database} failed: ${error?.stack ?? error}\n`);
      }
      send({ type: 'stopped', dropped });
      process.exit(0);
    })());
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent went away (Jest killed, crashed): do not leave a server or a database behind.
  process.on('disconnect', stop);

  send({
    type: 'ready',
    port: unleash.server.address().port,
    timings: { createDatabaseMs: t1 - t0, importMs: t2 - t1, startMs: t3 - t2 },
  });
}

if (process.argv[2] === '--drop') {
  dropDatabase(process.argv[3]).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exit(1);
    },
  );
} else {
  run().catch(async (error) => {
    send({ type: 'failed', message: String(error?.stack ?? error) });
    const database = process.env.UNLEASH_TEST_DATABASE;
    if (database) await dropDatabase(database).catch(() => undefined);
    process.exit(1);
  });
}
