import { EventEmitter } from 'node:events';
import { testDialects } from '@strangler/kit/testing';
import type { Knex } from 'knex';
import { runDataCommand, type DataIo } from '../src/cli/data-command';
import { captureState, expectedTriggers, installCapture } from '../src/data/capture/capture-installer';
import { readCheckpoint } from '../src/data/engine-tables';
import { syncCheckpointName } from '../src/data/sync/sync-worker';
import { createHarness, type Harness } from './support/data-harness';
import { monolithPayment } from './support/payment-rows';

jest.setTimeout(120_000);

async function run(argv: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const io: DataIo = { out: (t) => (out += t), err: (t) => (err += t), interactive: false, process: new EventEmitter() as unknown as DataIo['process'] };
  const code = await runDataCommand(argv, { ...env, LOG_LEVEL: 'silent' }, io);
  return { code, out, err };
}

/** Inserts payments one by one as fast as it can; every id it returns was committed (acknowledged). */
function insertLoop(knex: Knex) {
  let stopped = false;
  const acknowledged: string[] = [];
  const loop = (async () => {
    while (!stopped) {
      const row = monolithPayment({ created_at: new Date(), updated_at: new Date() });
      try {
        await knex('payments').insert(row);
        acknowledged.push(String(row.id));
      } catch (error) {
        // SQLite: the installer's DDL holds the write lock past busy_timeout now and then; a client retries.
        if (!String((error as { code?: string }).code).startsWith('SQLITE_BUSY')) throw error;
      }
      // Let the installer's own statements in (better-sqlite3 answers without yielding otherwise).
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return {
    acknowledged,
    async stop() {
      stopped = true;
      await loop;
      return acknowledged;
    },
  };
}

/** Triggers of an older definition (as an earlier version of the engine named and wrote them). */
async function downgradeTriggers(h: Harness): Promise<void> {
  const db = h.knex('monolith');
  const current = expectedTriggers(db, h.capability, 'monolith');
  const legacy = current.map((t) => ({ ...t, sql: t.sql.replace(t.name, t.stem).replace(`'I', `, `'I' , `).replace(`'U', `, `'U' , `).replace(`'D', `, `'D' , `) }));
  // The old first, then the current ones go: capture never has a gap here either.
  for (const t of legacy) await db.raw(t.sql);
  for (const t of current) await db.raw(`drop trigger if exists ${h.dialect === 'mysql' ? `\`${t.name}\`` : `"${t.name}"`}`);
}

describe.each(testDialects())('capture install, on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
  });
  afterEach(async () => h?.close());

  it('re-running it ten times under concurrent writes loses nothing, whether the triggers are current or older', async () => {
    await h.installCapture(['monolith']);
    const writer = insertLoop(h.connect('monolith'));
    const replaced: string[] = [];
    for (let i = 0; i < 10; i++) {
      // Even rounds: triggers of an older definition are replaced; odd rounds: nothing to do.
      if (i % 2 === 0) await downgradeTriggers(h);
      const result = await installCapture(h.knex('monolith'), h.capability, 'monolith');
      replaced.push(...result.replaced);
      if (i % 2 === 1) expect(result).toMatchObject({ created: [], replaced: [] });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const acknowledged = await writer.stop();
    expect(replaced).toHaveLength(5 * 9);
    expect(acknowledged.length).toBeGreaterThan(50);
    expect(await captureState(h.knex('monolith'), h.capability, 'monolith')).toMatchObject({ installed: true, triggers: 9, outdated: 0 });

    // Every acknowledged insert was captured, so the sync alone brings every one of them across.
    await h.settle(['to-service']);
    const onService = new Set((await h.knex('service')('payments').select('id')).map((row: { id: string }) => row.id));
    expect(acknowledged.filter((id) => !onService.has(id))).toEqual([]);
  });

  it('two installs at once both succeed and leave one trigger per table and event', async () => {
    await downgradeTriggers(h).catch(() => undefined);
    await Promise.all([installCapture(h.connect('monolith'), h.capability, 'monolith'), installCapture(h.connect('monolith'), h.capability, 'monolith')]);
    expect(await captureState(h.knex('monolith'), h.capability, 'monolith')).toMatchObject({ installed: true, triggers: 9, outdated: 0 });
  });
});

describe.each(testDialects())('capture remove, on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
  });
  afterEach(async () => h?.close());

  it('is all or nothing: changes waiting on the service refuse it before the monolith is touched', async () => {
    expect((await run(['capture', 'install', 'payments'], h.env)).code).toBe(0);
    await h.knex('monolith')('payments').insert(monolithPayment());
    await h.settle();
    // The service takes a write the sync has not carried yet.
    await h.knex('service')('payments').update({ description: 'not carried yet' });
    const refused = await run(['capture', 'remove', 'payments'], h.env);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/1 captured change\(s\) on the service have not been synced yet.*\(nothing was removed\)/);
    // The monolith's side is exactly as it was: triggers, changelog, and the worker's checkpoint.
    expect(await captureState(h.knex('monolith'), h.capability, 'monolith')).toMatchObject({ installed: true, triggers: 9 });
    expect(await readCheckpoint(h.knex('service'), syncCheckpointName('payments', 'to-service'))).toBeDefined();
    await h.settle();
    const removed = await run(['capture', 'remove', 'payments', '--json'], h.env);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.out).results).toMatchObject([
      { side: 'monolith', triggers: 9, changesLeft: 0 },
      { side: 'service', triggers: 9, changesLeft: 0 },
    ]);
    expect(await captureState(h.knex('service'), h.capability, 'service')).toMatchObject({ installed: false, triggers: 0, changelog: false });
  });
});
