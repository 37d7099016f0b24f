import { createHash } from 'node:crypto';
import { canonicalText, digest, type CanonicalRow } from '../src/data/canonical';

/** The form every stored base was hashed from: it must never change (bases outlive a release). */
const original = (row: CanonicalRow) => JSON.stringify(Object.keys(row).sort().map((key) => [key, row[key] ?? null]));

describe('canonical text and digest', () => {
  const rows: CanonicalRow[] = [
    { id: 'a', amount_minor: '1999', currency: 'USD', created_at: 1_733_390_000_123, order_id: null },
    { id: 'b', amount_minor: '-5', currency: 'JPY', created_at: 0, order_id: 'ord-1' },
    // The same keys in another order, then other shapes in turn: the sorted keys are not reused wrongly.
    { order_id: null, created_at: 1, currency: 'EUR', amount_minor: '0', id: 'c' },
    { name: 'quote " backslash \\ newline \n tab \t nul \u0000 ünïcödé 😀 \u2028', 'odd "key"': 'x', '1': 'integer-like key', '': 'empty key' },
    { id: 'a' },
    {},
    { id: 'a', amount_minor: '1999', currency: 'USD', created_at: 1_733_390_000_123, order_id: null, extra: -0 },
    { id: 'a', amount_minor: '1999', currency: 'USD', created_at: 1_733_390_000_123, order_id: undefined as unknown as null },
    { big: Number.MAX_SAFE_INTEGER, neg: -1.5e-7, nan: Number.NaN, inf: Number.POSITIVE_INFINITY },
  ];
  it.each(rows.map((row, i) => [i, row] as const))('row %i reads exactly as the original JSON form', (_i, row) => {
    expect(canonicalText(row)).toBe(original(row));
  });
  it('is the same twice over alternating shapes', () => {
    for (let round = 0; round < 3; round++) for (const row of rows) expect(canonicalText(row)).toBe(original(row));
  });
  it('digest is the SHA-256 hex of the UTF-8 text', () => {
    for (const text of ['', 'abc', rows.map(original).join('\n')]) expect(digest(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });
});
