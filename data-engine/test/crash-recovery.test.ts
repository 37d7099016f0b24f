import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testDialects } from '@strangler/kit/testing';
import { readCheckpoint } from '../src/data/engine-tables';
import { backfillCheckpointName, type BackfillCheckpoint } from '../src/data/backfill/backfill';
import { syncCheckpointName, type SyncCheckpoint } from '../src/data/sync/sync-worker';
import { createHarness, killStrayChildren, DATA_CLI, runCli, spawnCli, waitFor, type Harness } from './support/data-harness';
import { insertMonolithPayments, startWriter } from './support/payment-rows';

jest.setTimeout(90_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => {
  if (!existsSync(DATA_CLI)) throw new Error(`${DATA_CLI} is missing: run tsc -b first (npm test does)`);
});

describe.each(testDialects())('the CLI killed and restarted, on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
  });
  afterEach(async () => {
    killStrayChildren();
    await h?.close();
  });

  const count = async (side: 'monolith' | 'service') => Number((await h.knex(side)('payments').count({ n: '*' }))[0]?.n);
  const distinct = async (side: 'monolith' | 'service') => Number((await h.knex(side)('payments').countDistinct({ n: 'id' }))[0]?.n);
  const backfillState = async () => (await readCheckpoint<BackfillCheckpoint>(h.knex('service'), backfillCheckpointName('payments', 'to-service', 'payments')))?.state;
  const args = ['backfill', 'payments', '--mapping', 'payments', '--chunk-size', '200', '--target-chunk-ms', '20'];

  it('backfill: kill -9 mid-run, resume: the chunk and its checkpoint committed together, nothing lost or doubled', async () => {
    const total = 8_000;
    await insertMonolithPayments(h.knex('monolith'), total);
    const first = spawnCli(args, h.env);
    await waitFor('a few chunks', async () => ((await backfillState())?.rows ?? 0) >= 1_000);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const atKill = await backfillState();
    expect(atKill?.done).toBe(false);
    expect(atKill?.rows).toBeLessThan(total);
    // Whatever chunk was in flight rolled back with its checkpoint: the target holds exactly what the checkpoint says.
    expect(await count('service')).toBe(atKill?.rows);

    const second = await runCli([...args, '--json'], h.env);
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.mappings[0]).toMatchObject({ status: 'done', resumedAfter: atKill?.after, rows: total - (atKill?.rows ?? 0), totalRows: total });
    expect([await count('service'), await distinct('service')]).toEqual([total, total]);
    expect((await h.verify()).ok).toBe(true);
  });

  it('backfill: SIGTERM stops after the current chunk (exit 130), SIGUSR1/SIGUSR2 pause and resume', async () => {
    // Throttled to take seconds; and it starts paused by a pause file, so even a test process starved
    // on a loaded machine is never too late for it.
    await insertMonolithPayments(h.knex('monolith'), 8_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'pause-'));
    const pauseFile = path.join(dir, 'pause');
    writeFileSync(pauseFile, '');
    const run = spawnCli([...args, '--max-rows-per-second', '1000', '--pause-file', pauseFile], h.env);
    const logged = (text: string, times = 1) => waitFor(`"${text}" logged ${times}×`, async () => run.output().stderr.split(text).length > times, 20_000);
    const rows = async () => (await backfillState())?.rows ?? 0;
    const settled = async () => {
      let now = -1;
      await waitFor('the checkpoint to stop moving', async () => {
        const before = await rows();
        await sleep(500);
        now = await rows();
        return now === before;
      }, 20_000);
      return now;
    };
    try {
      // Paused by the file, then by SIGUSR1 too: the file going leaves it paused.
      await logged('change capture is not installed'); // it is up and reading
      run.child.kill('SIGUSR1');
      await logged('paused (SIGUSR2 resumes)');
      rmSync(pauseFile);
      const paused = await settled();
      await sleep(600);
      expect(await rows()).toBe(paused);
      expect(paused).toBeLessThan(8_000);
      run.child.kill('SIGUSR2');
      await logged('resuming');
      await waitFor('progress after resume', async () => (await rows()) > paused);
      // Paused again (the file), then stopped: SIGTERM ends it after the chunk in hand.
      writeFileSync(pauseFile, '');
      expect(await settled()).toBeLessThan(8_000);
      run.child.kill('SIGTERM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const result = await run.exited;
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(/run the same command again to resume/);
    const state = await backfillState();
    expect(state?.done).toBe(false);
    expect(await count('service')).toBe(state?.rows);
    expect((await runCli(args, h.env)).code).toBe(0);
    expect(await count('service')).toBe(8_000);
  });

  it('sync: kill -9 of the worker mid-stream under traffic, restart: converges, nothing lost or doubled', async () => {
    await insertMonolithPayments(h.knex('monolith'), 200);
    await h.installCapture(['monolith']);
    await h.backfill('to-service');
    const syncArgs = ['sync', 'payments', '--port', '0', '--batch-size', '20', '--poll-ms', '5'];
    const applied = async () => (await readCheckpoint<SyncCheckpoint>(h.knex('service'), syncCheckpointName('payments', 'to-service')))?.state.appliedChanges ?? 0;
    const writer = startWriter(h.connect('monolith'), 'monolith', { pauseMs: 1 });
    try {
      const first = spawnCli(syncArgs, h.env);
      await waitFor('the worker to apply some batches', async () => (await applied()) >= 60);
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      const atKill = await applied();
      await sleep(300); // traffic goes on while the worker is down

      const second = spawnCli(syncArgs, { ...h.env, LOG_LEVEL: 'info' });
      await waitFor('the restarted worker to apply', async () => (await applied()) > atKill);
      const writes = await writer.stop();
      await waitFor('the changelog to drain', async () => (await h.pending('monolith')) === 0, 30_000);
      second.child.kill('SIGTERM');
      const stopped = await second.exited;
      expect(stopped.code).toBe(0); // graceful shutdown
      expect(stopped.stderr).toMatch(/"msg":"stopped"/);
      expect(writes).toBeGreaterThan(50);
    } finally {
      await writer.stop();
    }
    expect([await count('service'), await distinct('service')]).toEqual([await count('monolith'), await count('monolith')]);
    const report = await h.verify();
    expect(report.mappings.filter((m) => m.differences > 0)).toEqual([]);
  });
});
