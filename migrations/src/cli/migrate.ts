#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createDatabase, dialectOf } from '@strangler/kit';
import { DATABASES } from '../databases';
import { migrateLatest, rollbackAll } from '../migration-set';

const usage = `Usage: npm run migrate -- [--db <name>] [--down]

Applies the schema migrations of every database (or only --db <name>).
Databases: ${DATABASES.map((d) => `${d.set.database} (${d.urlVariable}, default ${d.defaultUrl})`).join(', ')}
  --down   roll back every migration of the selected database(s)`;

async function main(): Promise<number> {
  let values: { db?: string; down?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { db: { type: 'string' }, down: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const selected = values.db ? DATABASES.filter((d) => d.set.database === values.db) : DATABASES;
  if (selected.length === 0) {
    process.stderr.write(`Unknown database "${values.db}".\n\n${usage}\n`);
    return 2;
  }
  for (const entry of selected) {
    const url = process.env[entry.urlVariable] || entry.defaultUrl;
    const database = createDatabase(url, { poolMax: 1 });
    try {
      const names = values.down ? await rollbackAll(database.knex, entry.set) : await migrateLatest(database.knex, entry.set);
      const verb = values.down ? 'rolled back' : 'applied';
      process.stdout.write(`${entry.set.database} (${dialectOf(url)}): ${names.length ? `${verb} ${names.join(', ')}` : 'up to date'}\n`);
    } catch (error) {
      process.stderr.write(`${entry.set.database}: migration failed: ${(error as Error).message}\n`);
      return 1;
    } finally {
      await database.close();
    }
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
