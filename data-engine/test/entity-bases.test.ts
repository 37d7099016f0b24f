import { testDialects } from '@strangler/kit/testing';
import { baseStore } from '../src/data/bases/entity-bases';
import { ensureEngineTables, BASES_TABLE } from '../src/data/engine-tables';
import { engineTransaction } from '../src/data/engine-transaction';
import { createHarness, type Harness } from './support/data-harness';

jest.setTimeout(60_000);

describe.each(testDialects())('entity bases on %s', (dialect) => {
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

  /** Stored bases, and what a read of `asked` must find: exactly the stored ones among them. */
  async function readBack(stored: string[], asked: string[], options: { lock?: boolean; contiguous?: boolean }) {
    const db = h.knex('service');
    const bases = baseStore('payments');
    await engineTransaction(db, (trx) => bases.write(trx, 'payments', stored.map((key) => ({ key: [key], state: `state of ${key}` }))));
    const found = await engineTransaction(db, (trx) => bases.read(trx, 'payments', asked.map((key) => [key]), options));
    const expected = asked.filter((key) => stored.includes(key)).map((key) => [JSON.stringify([key]), `state of ${key}`]);
    expect(Object.fromEntries(found)).toEqual(Object.fromEntries(expected));
  }

  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

  it('reads the bases of a chunk as one span: every base of its keys, none of the other entities in or around the span', async () => {
    const chunk = ids('m-', 300);
    // Carried deletes among the chunk's keys (stored, not asked) and neighbours on both sides.
    const stored = [...chunk.filter((_, i) => i % 4 !== 0), ...ids('m-0', 10).map((id) => `${id}x`), ...ids('a-', 50), ...ids('z-', 50)];
    await readBack(stored, chunk.filter((_, i) => i % 7 !== 0), { lock: true, contiguous: true });
  });

  it('finds every base whatever characters the keys hold (case, accents, quotes, backslashes, past the BMP)', async () => {
    const odd = ['Zeta', 'alpha', 'Émile', 'emile', 'quote"d', 'back\\slash', 'tab\tkey', '\uff01wide', 'smile\u{1F600}', 'space key', '-', '0', '~'];
    const chunk = [...odd, ...ids('k-', 100)];
    await readBack(chunk.filter((_, i) => i % 2 === 0), chunk, { contiguous: true });
    await readBack(chunk, chunk.filter((key) => !key.includes('\u{1F600}')), { lock: true, contiguous: true });
  });

  it('falls back to reading by list when the span holds many more bases than the keys asked (keys ordered otherwise than their text)', async () => {
    const asked = [...ids('b-', 80), 'y-last'];
    const stored = [...asked, ...ids('c-', 400)];
    await readBack(stored, asked, { lock: true, contiguous: true });
  });
});
