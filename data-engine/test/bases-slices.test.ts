import { testDialects } from '@strangler/kit/testing';
import { baseStore } from '../src/data/bases/entity-bases';
import { ensureEngineTables, BASES_TABLE } from '../src/data/engine-tables';
import { engineTransaction } from '../src/data/engine-transaction';
import { createHarness, type Harness } from './support/data-harness';

jest.setTimeout(60_000);

describe.each(testDialects())('entity bases in several statements on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
    await ensureEngineTables(h.knex('service'));
  });
  afterEach(async () => h?.close());

  it('writes and reads back every base of a chunk larger than one statement, and no others', async () => {
    const db = h.knex('service');
    const bases = baseStore('payments');
    const keys = Array.from({ length: 12_000 }, (_, i) => [`k-${String(i).padStart(6, '0')}`]);
    const written = keys.filter((_, i) => i % 3 !== 0).map((key, i) => ({ key, state: `s${i}` }));
    await engineTransaction(db, (trx) => bases.write(trx, 'payments', written));
    // Rewritten: the upsert replaces each state.
    const changed = written.map((entry, i) => ({ key: entry.key, state: i % 2 ? entry.state : 'tombstone' }));
    await engineTransaction(db, (trx) => bases.write(trx, 'payments', changed));
    expect(Number((await db(BASES_TABLE).count({ n: '*' }))[0]?.n)).toBe(written.length);

    const found = await engineTransaction(db, (trx) => bases.read(trx, 'payments', keys, { lock: true }));
    expect(found.size).toBe(written.length);
    expect(Object.fromEntries(found)).toEqual(Object.fromEntries(changed.map((entry) => [JSON.stringify(entry.key), entry.state])));
    // Another mapping's bases are not mistaken for these.
    expect((await bases.read(db, 'refunds', keys)).size).toBe(0);
  });
});
