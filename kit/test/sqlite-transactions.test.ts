import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, type Database } from '../src/db/create-database';

/** Another process writing the same SQLite file, as the sync worker does next to a deployable. */
function writeFromAnotherProcess(file: string): Promise<number | null> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(file)});
    db.pragma('busy_timeout = 5000');
    db.prepare("update counters set value = value + 100 where id = 'a'").run();
    db.close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../..'), stdio: 'inherit' });
    child.on('exit', resolve);
  });
}

describe('SQLite transactions across processes', () => {
  let dir: string;
  let file: string;
  let db: Database;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kit-sqlite-'));
    file = path.join(dir, 'db.sqlite');
    db = createDatabase(file);
    await db.knex.schema.createTable('counters', (t) => {
      t.string('id').primary();
      t.integer('value').notNullable();
    });
    await db.knex('counters').insert({ id: 'a', value: 0 });
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets a read-then-write transaction finish while another process waits (no SQLITE_BUSY_SNAPSHOT)', async () => {
    let other: Promise<number | null> | undefined;
    await db.knex.transaction(async (trx) => {
      const row = await trx('counters').where({ id: 'a' }).first();
      other = writeFromAnotherProcess(file);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await trx('counters').where({ id: 'a' }).update({ value: row.value + 1 });
    });
    expect(await other).toBe(0);
    const final = await db.knex('counters').where({ id: 'a' }).first();
    expect(final.value).toBe(101);
  });
});
