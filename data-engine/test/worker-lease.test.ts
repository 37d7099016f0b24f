import { testDialects } from '@strangler/kit/testing';
import { LeaseHeldError, LeaseLostError, WorkerLease } from '../src/data/sync/worker-lease';
import { ensureEngineTables } from '../src/data/engine-tables';
import { createHarness, killStrayChildren, spawnCli, waitFor, type CliProcess, type Harness } from './support/data-harness';

jest.setTimeout(90_000);

/**
 * Issue #11 §6: `strangler sync payments … --port N` started a second worker beside the one
 * `npm start` runs, both "ready", sharing one checkpoint. One worker per capability and direction.
 */
describe.each(testDialects())('one sync worker per capability and direction, on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
    await h.installCapture();
    await ensureEngineTables(h.knex('service'));
  });
  afterEach(async () => {
    killStrayChildren();
    await h?.close();
  });

  const lease = (holder: string, options: { slot?: string; ttlMs?: number; renewEveryMs?: number } = {}) => new WorkerLease(h.knex('service'), 'sync:payments:to-service', { holder, pollMs: 20, ...options });

  it('refuses a contender while the holder renews; hands over once it stops renewing; the old holder can no longer commit', async () => {
    const first = lease('first', { renewEveryMs: 10 });
    await first.acquire();
    const renewing = setInterval(() => void first.keepAlive(), 30);
    try {
      await expect(lease('second', { ttlMs: 5_000 }).acquire()).rejects.toThrow(LeaseHeldError);
    } finally {
      clearInterval(renewing);
    }
    // Frozen (no renewal) for longer than the TTL: taken over.
    const second = lease('second', { ttlMs: 300 });
    await second.acquire();
    await expect(h.knex('service').transaction((trx) => first.renewIn(trx))).rejects.toThrow(LeaseLostError);
    await expect(h.knex('service').transaction((trx) => second.renewIn(trx))).resolves.toBeUndefined();
  });

  it('is taken at once when released, and by a restart in the same slot (no wait for the TTL)', async () => {
    const never = 10 * 60_000; // longer than this test may run: taking it must not wait for expiry
    await lease('first', { slot: 'host:9471' }).acquire();
    const restarted = lease('restarted', { slot: 'host:9471', ttlMs: never });
    await restarted.acquire();
    await restarted.release();
    const third = lease('third', { ttlMs: never });
    await third.acquire();
    await expect(h.knex('service').transaction((trx) => third.renewIn(trx))).resolves.toBeUndefined();
  });

  it('the data CLI refuses a second worker with a reason, and starts one at once after a clean stop', async () => {
    const started = (proc: CliProcess) => waitFor('the worker to listen', async () => /sync listening on/.test(proc.output().stdout + proc.output().stderr));
    const first = spawnCli(['sync', 'payments', '--direction', 'both', '--port', '0'], { ...h.env, LOG_LEVEL: 'info' });
    await started(first);
    const second = await spawnCli(['sync', 'payments', '--direction', 'both', '--port', '0'], h.env).exited;
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/another sync worker already runs payments to-service \(.* pid \d+; it renewed its lease while this one waited\)/);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    const third = spawnCli(['sync', 'payments', '--direction', 'both', '--port', '0'], { ...h.env, LOG_LEVEL: 'info' });
    await started(third);
    third.child.kill('SIGTERM');
    const thirdExit = await third.exited;
    expect([thirdExit.code, thirdExit.signal, thirdExit.stderr.slice(-2000)]).toEqual([0, null, expect.any(String)]);
    // `sync --once` gives the lease up when it is done, as a clean stop does.
    expect((await spawnCli(['sync', 'payments', '--once'], h.env).exited).code).toBe(0);
    const leases = (await h.knex('service')('sync_leases').select('name', 'holder')) as Array<{ name: string; holder: string }>;
    expect(leases.sort((a, b) => a.name.localeCompare(b.name))).toEqual([{ name: 'sync:payments:to-service', holder: '' }]);
  });
});
