import { isWriteFenced, translateError } from '@strangler/kit';
import { testDialects } from '@strangler/kit/testing';
import { shippedCapability } from './support/shipped-capabilities';
import { engineTransaction } from '../src/data/engine-transaction';
import { lowerDbFence, raiseDbFence } from '../src/data/fence/db-fence';
import { createHarness, type Harness } from './support/data-harness';
import { monolithPayment } from './support/payment-rows';

jest.setTimeout(60_000);

const payments = shippedCapability('payments');

/**
 * The database half of the write fence (decision 0018): while it is held on the old writer, the
 * application's writes to the capability's tables are refused there — whatever path they came by —
 * and kit renders the refusal as 503 WRITE_FENCED; the sync's own applies still land.
 */
describe.each(testDialects())('the database write fence, on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
    await h.installCapture();
  });
  afterEach(async () => {
    await h?.close();
  });

  const insert = (row = monolithPayment()) => h.knex('monolith')('payments').insert(row);

  it('refuses the application’s inserts, updates and deletes while held; lets the sync’s applies through; lowered, lets everything through', async () => {
    const existing = monolithPayment();
    await insert(existing);
    await raiseDbFence(h.knex('monolith'), payments, 'monolith', 'switch-1', 30_000);
    // Idempotent: a second raise (another operator, a retry) changes nothing but the hold.
    await raiseDbFence(h.knex('monolith'), payments, 'monolith', 'switch-2', 30_000);

    for (const write of [() => insert(), () => h.knex('monolith')('payments').where({ id: existing.id }).update({ status: 'VOIDED' }), () => h.knex('monolith')('payments').where({ id: existing.id }).delete()]) {
      const error = await write().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isWriteFenced(error)).toBe(true);
      expect(translateError(error, '100kb')).toMatchObject({ code: 'WRITE_FENCED', status: 503, extensions: { retryable: true } });
    }
    const applied = monolithPayment();
    await engineTransaction(h.knex('monolith'), (trx) => trx('payments').insert(applied));

    await lowerDbFence(h.knex('monolith'), payments, 'switch-1');
    expect(isWriteFenced(await insert().then(() => undefined, (e: unknown) => e))).toBe(true);
    await lowerDbFence(h.knex('monolith'), payments, 'switch-2');
    await insert();
    await h.knex('monolith')('payments').where({ id: existing.id }).update({ status: 'VOIDED' });
    expect(await h.knex('monolith')('payments').where({ id: applied.id }).first()).toBeDefined();
  });

  // A raise re-ran CREATE TRIGGER on every table each time: on MariaDB that takes the table's exclusive
  // metadata lock even when the trigger exists, so a raise waited behind any open transaction on the
  // table — a reader's too — for up to lock_wait_timeout (a day by default), and every reader of the
  // table queued behind it meanwhile.
  // MariaDB/MySQL only (SQLite has no metadata locks): registered for that dialect alone, not skipped.
  const onMysql = dialect === 'mysql' ? it : () => undefined;
  onMysql('once installed, a raise takes no lock on the tables: an open transaction on them does not hold it up, nor readers behind it', async () => {
    await raiseDbFence(h.knex('monolith'), payments, 'monolith', 'install', 30_000);
    await lowerDbFence(h.knex('monolith'), payments, 'install');
    const app = h.connect('monolith');
    const reading = await app.transaction();
    try {
      await reading('payments').count({ n: '*' });
      const started = Date.now();
      await raiseDbFence(h.knex('monolith'), payments, 'monolith', 'switch-1', 30_000);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(isWriteFenced(await insert().then(() => undefined, (e: unknown) => e))).toBe(true);
    } finally {
      await reading.rollback();
    }
  });

  it('a hold expires by itself (a CLI that died mid-switch)', async () => {
    await raiseDbFence(h.knex('monolith'), payments, 'monolith', 'gone', 200);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const error = await insert().then(() => undefined, (e: unknown) => e);
      if (error === undefined) break;
      expect(isWriteFenced(error)).toBe(true);
      if (Date.now() > deadline) throw new Error('the hold never expired');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});
