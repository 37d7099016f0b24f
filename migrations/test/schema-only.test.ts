import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createDatabase } from '@strangler/kit';
import { createTestDatabase, testDialects } from '@strangler/kit/testing';
import { DATABASES, migrateLatest, rollbackAll } from '../src';

const ROOT = path.resolve(__dirname, '../..');
const DEPLOYABLES = ['monolith', 'services/auth', 'services/payments'];

const dependenciesOf = (dir: string): string[] =>
  Object.keys((JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});

/** Decision 0042: a deployable applies its schema at start and loads no data engine with it. */
describe('schema migrations apart from the data engine', () => {
  it.each(DEPLOYABLES)('%s depends on @strangler/migrations at run time, never on @strangler/data-engine', (dir) => {
    expect(dependenciesOf(dir)).toContain('@strangler/migrations');
    expect(dependenciesOf(dir)).not.toContain('@strangler/data-engine');
  });

  it('loading the compiled package loads nothing of the engine (nor its metrics or validation libraries)', () => {
    const script = "require('@strangler/migrations'); process.stdout.write(JSON.stringify(Object.keys(require.cache)))";
    const run = spawnSync(process.execPath, ['-e', script], { cwd: path.join(ROOT, 'monolith'), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const loaded = JSON.parse(run.stdout) as string[];
    expect(loaded.some((file) => file.startsWith(path.join(ROOT, 'migrations', 'dist')))).toBe(true);
    expect(loaded.filter((file) => /[\\/](data-engine|prom-client|zod)[\\/]/.test(file))).toEqual([]);
  });

  it.each(testDialects())('every database’s set applies and rolls back to nothing on %s', async (dialect) => {
    for (const entry of DATABASES) {
      const created = await createTestDatabase(dialect);
      const db = createDatabase(created.url);
      try {
        const applied = await migrateLatest(db.knex, entry.set);
        expect(applied.length).toBe(entry.set.migrations.length);
        expect(await migrateLatest(db.knex, entry.set)).toEqual([]);
        expect(await rollbackAll(db.knex, entry.set)).toHaveLength(applied.length);
      } finally {
        await db.close();
        await created.drop();
      }
    }
  });
});
