import { testDialects } from '@strangler/kit/testing';
import { sameRow } from '../src/data/apply/same-row';
import type { Capability } from '../src/data/capabilities/capability';
import { FlowControl } from '../src/data/flow-control';
import type { EntityMapping } from '../src/data/mapping';
import { createHarness, waitFor, type Harness } from './support/data-harness';
import { insertMonolithPayments } from './support/payment-rows';

jest.setTimeout(60_000);

describe('sameRow (a re-read row keeps its prepared hash only when every value is identical)', () => {
  const at = new Date('2026-12-05T10:00:00.123Z');
  const row = { id: 'a', amount: '19.99', n: 3, at, blob: Buffer.from('xy'), none: null };
  it('is true for the same values read twice (new Date and Buffer objects)', () => {
    expect(sameRow(row, { ...row, at: new Date(at.getTime()), blob: Buffer.from('xy') })).toBe(true);
  });
  it.each([
    ['a changed text', { amount: '19.98' }],
    ['a changed time', { at: new Date(at.getTime() + 1) }],
    ['a changed buffer', { blob: Buffer.from('xz') }],
    ['null for a value', { amount: null }],
    ['a number for its digits', { amount: 19.99 }],
    ['undefined for null', { none: undefined }],
    ['-0 for 0', { n: -0 }],
    ['an object it cannot compare', { none: { a: 1 } }],
  ])('is false for %s', (_what, change) => {
    expect(sameRow(row, { ...row, ...change })).toBe(false);
    expect(sameRow({ ...row, ...change }, row)).toBe(false);
  });
  it('is false when a column is missing or extra', () => {
    const { none: _none, ...fewer } = row;
    expect(sameRow(row, fewer)).toBe(false);
    expect(sameRow(fewer, row)).toBe(false);
    expect(sameRow(row, { ...fewer, other: null })).toBe(false);
  });
});

describe.each(testDialects())('the backfill re-reads each chunk on %s', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, 'payments');
  });
  afterEach(async () => h?.close());

  /** The shipped capability with its payments transform counted. */
  function counted(): { capability: Capability; calls: () => number } {
    let calls = 0;
    const mappings = h.capability.mappings.map((mapping): EntityMapping =>
      mapping.name === 'payments'
        ? { ...mapping, toService: (row) => ((calls += 1), mapping.toService(row)), canonical: (side, row) => mapping.canonical(side, side === 'monolith' ? (calls += 1, row) : row) }
        : mapping,
    );
    return { capability: { ...h.capability, mappings }, calls: () => calls };
  }

  it('transforms an unchanged row once, and still leaves a row changed since it was read to the sync', async () => {
    const ids = (await insertMonolithPayments(h.knex('monolith'), 40)).sort();
    const { capability, calls } = counted();
    const control = new FlowControl();
    let chunks = 0;
    const backfill = h.backfill('to-service', {
      capability,
      mappings: ['payments'],
      initialChunkSize: 10,
      minChunkSize: 10,
      maxChunkSize: 10,
      control,
      // After the first chunk the second is already read (prefetched): pause holding it.
      progress: { update: () => (++chunks === 1 ? control.pause() : undefined), finish: () => undefined },
    });
    await waitFor('the backfill to pause', async () => chunks >= 1);
    const [changed, rewritten] = [ids[12], ids[13]] as [string, string];
    await h.knex('monolith')('payments').where({ id: changed }).update({ description: 'changed while paused' });
    // Written again with the values it had: the row is still what was read.
    const before = await h.knex('monolith')('payments').where({ id: rewritten }).first();
    await h.knex('monolith')('payments').where({ id: rewritten }).update({ description: before.description, updated_at: before.updated_at });
    control.resume();
    const report = await backfill;

    expect(report.mappings[0]?.counts).toMatchObject({ inserted: 39, moved: 1 });
    expect(await h.knex('service')('payments').where({ id: changed }).first()).toBeUndefined();
    expect(await h.knex('service')('payments').where({ id: rewritten }).first()).toMatchObject({ id: rewritten });
    // 40 rows transformed when read, and once more only the one that changed when re-read.
    expect(calls()).toBe(41);
  });
});
