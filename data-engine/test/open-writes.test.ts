import type { Knex } from 'knex';
import { isWriteFenced } from '@strangler/kit';
import { testDialects } from '@strangler/kit/testing';
import { shippedCapability } from './support/shipped-capabilities';
import { engineTransaction } from '../src/data/engine-transaction';
import { lowerDbFence, raiseDbFence } from '../src/data/fence/db-fence';
import { awaitOpenWrites, type OpenWritesOutcome } from '../src/data/fence/open-writes';
import { createHarness, type Harness } from './support/data-harness';
import { monolithPayment } from './support/payment-rows';

jest.setTimeout(60_000);

const payments = shippedCapability('payments');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a promise has settled yet, and how. */
function watch<T>(promise: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}
async function until(state: { done: boolean }, ms: number) {
  const deadline = Date.now() + ms;
  while (!state.done && Date.now() < deadline) await pause(20);
}

/**
 * The last step of the database fence (decision 0048): a transaction that passed its triggers before
 * the fence rose and has not committed (a process frozen before COMMIT) is waited for — or named, and
 * the switch refused — before the backlog is read: its change reaches the changelog only at commit.
 */
describe.each(testDialects())('open writes behind the database fence, on %s', (dialect) => {
  let h: Harness;
  let app: Knex;
  let held: Knex.Transaction | undefined;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
    await h.installCapture();
    app = h.connect('monolith'); // the application's own connections, as a monolith process has
    // Installed by an earlier switch: the first raise on a side creates the triggers, which takes the
    // tables' exclusive lock (bounded, decision 0048). Every raise below only writes a hold.
    await raiseDbFence(h.knex('monolith'), payments, 'monolith', 'install', 30_000);
    await lowerDbFence(h.knex('monolith'), payments, 'install');
  });
  afterEach(async () => {
    await held?.rollback().catch(() => undefined);
    held = undefined;
    await h?.close();
  });

  /** An application transaction that wrote a payment (past the fence's trigger) and has not committed; its connection id on MariaDB. */
  async function holdAWrite(isolation?: 'read committed'): Promise<number | undefined> {
    held = await app.transaction(isolation ? { isolationLevel: isolation } : undefined);
    await held('payments').insert(monolithPayment());
    if (dialect !== 'mysql') return undefined;
    const [rows] = (await held.raw('select connection_id() as id')) as [Array<{ id: number }>];
    return Number(rows[0]!.id);
  }
  const fence = (waitMs?: number) => raiseDbFence(h.knex('monolith'), payments, 'monolith', 'switch-1', 30_000, waitMs === undefined ? {} : { waitMs });
  const drain = (ms: number) => awaitOpenWrites(h.knex('monolith'), payments, 'monolith', ms);
  const commit = async () => {
    await held!.commit();
    held = undefined;
  };
  /** The held write keeps the drain waiting; once it commits the drain returns, its change in the backlog. */
  async function drainWaitsForTheCommit(): Promise<OpenWritesOutcome> {
    const before = await h.pending('monolith');
    const waiting = watch(drain(10_000));
    await pause(400);
    expect(waiting.done).toBe(false);
    await commit();
    await until(waiting, 3_000);
    expect(waiting.value).toMatchObject({ drained: true });
    expect(await h.pending('monolith')).toBe(before + 1);
    return waiting.value!;
  }

  it('nothing open: returns at once', async () => {
    await fence();
    const outcome = await drain(5_000);
    expect(outcome).toMatchObject({ drained: true });
    expect(outcome.waitedMs).toBeLessThan(500);
  });

  if (dialect === 'mysql') {
    describe('an application transaction at READ COMMITTED (the fence’s raise does not wait for it)', () => {
      it('is waited for; once it commits the drain returns and its change is in the backlog', async () => {
        await holdAWrite('read committed');
        const raising = Date.now();
        await fence();
        expect(Date.now() - raising).toBeLessThan(1_000);
        // New writes are refused meanwhile; the held one is already past its trigger.
        expect(isWriteFenced(await app('payments').insert(monolithPayment()).then(() => undefined, (e: unknown) => e))).toBe(true);
        const waited = await drainWaitsForTheCommit();
        expect(waited.waitedMs).toBeGreaterThanOrEqual(400);
        expect(waited.waitedMs).toBeLessThan(2_000);
      });

      it('one that never ends: refused within the bound, naming its connection; nothing left locked', async () => {
        const connection = await holdAWrite('read committed');
        await fence();
        const outcome = await drain(1_500);
        expect(outcome).toMatchObject({ drained: false, table: 'payments' });
        expect(outcome.waitedMs).toBeGreaterThanOrEqual(1_500);
        expect(outcome.waitedMs).toBeLessThan(2_600);
        expect(outcome.holders).toMatch(new RegExp(`^connection ${connection} \\([^@]+@[^,]+, transaction open \\d+ s, 2 row\\(s\\) changed, idle\\)$`));
        await held!.rollback();
        held = undefined;
        expect((await drain(0)).drained).toBe(true);
        const [[session]] = (await h.knex('monolith').raw('select @@session.lock_wait_timeout = @@global.lock_wait_timeout as same')) as [[{ same: number }]];
        expect(Number(session.same)).toBe(1);
      });

      it('while it waits, readers and the sync’s applies are not blocked', async () => {
        await holdAWrite('read committed');
        await fence();
        const waiting = drain(2_000);
        await pause(200);
        const timed = async (work: () => Promise<unknown>) => {
          const started = Date.now();
          await work();
          return Date.now() - started;
        };
        const reader = await timed(() => app('payments').count({ n: '*' }));
        const apply = await timed(() => engineTransaction(h.knex('monolith'), (trx) => trx('payments').insert(monolithPayment())));
        expect({ reader: reader < 300, apply: apply < 300 }).toEqual({ reader: true, apply: true });
        expect((await waiting).drained).toBe(false);
      });
    });

    describe('an application transaction at REPEATABLE READ (the default): the trigger’s read of the hold table keeps a lock', () => {
      it('the raise itself waits for it; once it commits the raise returns, then the drain at once', async () => {
        await holdAWrite();
        const raising = watch(fence(10_000));
        await pause(400);
        expect(raising.done).toBe(false);
        await commit();
        await until(raising, 3_000);
        expect([raising.done, raising.error]).toEqual([true, undefined]);
        expect((await drain(5_000)).waitedMs).toBeLessThan(500);
      });

      it('one that never ends: the raise fails within its bound, naming it', async () => {
        const connection = await holdAWrite();
        const started = Date.now();
        const error = await fence(1_000).then(() => undefined, (e: unknown) => e as Error);
        expect(Date.now() - started).toBeLessThan(2_500);
        expect(error?.message).toMatch(new RegExp(`^waited 1 s for open transactions on payments's tables to end \\(connection ${connection} \\(`));
      });
    });
  } else {
    // SQLite: raising the fence is itself a write, so it cannot pass an open write transaction (it waits
    // busy_timeout — synchronously in better-sqlite3, stalling this very process, which holds it).
    // The drain alone is tested here, against a write held with no fence raised.
    it('an open write transaction is waited for, and once it commits the drain returns with its change in the backlog', async () => {
      await holdAWrite();
      await drainWaitsForTheCommit();
    });

    it('one that never ends: refused within the bound; the connection’s busy timeout restored', async () => {
      await holdAWrite();
      const outcome = await drain(1_000);
      expect(outcome).toMatchObject({ drained: false, holders: 'another connection holds a write transaction open (SQLite: one writer at a time)' });
      expect(outcome.waitedMs).toBeGreaterThanOrEqual(1_000);
      expect(outcome.waitedMs).toBeLessThan(2_000);
      expect(await h.knex('monolith').raw('pragma busy_timeout')).toEqual([{ timeout: 5000 }]);
    });
  }
});
