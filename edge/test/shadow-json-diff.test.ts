import { diffJson, valueAt } from '../src/shadow/json-diff';

describe('diffJson', () => {
  it('finds nothing in equal documents, whatever the key order', () => {
    expect(diffJson({ a: 1, b: { c: [1, 2, { d: null }] } }, { b: { c: [1, 2, { d: null }] }, a: 1 })).toEqual([]);
    expect(diffJson('x', 'x')).toEqual([]);
  });

  it('reports the deepest differing leaf by pointer', () => {
    expect(diffJson({ payment: { amount: '1.00', status: 'authorized' } }, { payment: { amount: '1.00', status: 'captured' } })).toEqual(['/payment/status']);
  });

  it('reports keys present on one side only', () => {
    expect(diffJson({ a: 1, gone: true }, { a: 1, added: 2 })).toEqual(['/gone', '/added']);
  });

  it('compares arrays by index and reports extra elements', () => {
    expect(diffJson({ xs: [1, 2, 3] }, { xs: [1, 5] })).toEqual(['/xs/1', '/xs/2']);
  });

  it('treats a change of type as one difference at that node', () => {
    expect(diffJson({ a: { b: 1 } }, { a: [1] })).toEqual(['/a']);
    expect(diffJson({ a: null }, { a: {} })).toEqual(['/a']);
    expect(diffJson({ a: '1' }, { a: 1 })).toEqual(['/a']);
    expect(diffJson([1], { 0: 1 })).toEqual(['']);
  });

  it('escapes keys in pointers', () => {
    expect(diffJson({ 'a/b': 1 }, { 'a/b': 2 })).toEqual(['/a~1b']);
  });

  it('stops at maxDifferences and compares wholesale below maxDepth', () => {
    const left = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(diffJson(left, {}, { maxDifferences: 10, maxDepth: 32 })).toHaveLength(10);
    expect(diffJson({ a: { b: { c: 1 } } }, { a: { b: { c: 2 } } }, { maxDifferences: 10, maxDepth: 1 })).toEqual(['/a']);
  });
});

describe('valueAt', () => {
  it('reads through objects and arrays, unescaping segments', () => {
    const doc = { payments: [{ id: 'p1' }], 'a/b': { '~': 7 } };
    expect(valueAt(doc, '/payments/0/id')).toBe('p1');
    expect(valueAt(doc, '/a~1b/~0')).toBe(7);
    expect(valueAt(doc, '')).toBe(doc);
    expect(valueAt(doc, '/payments/3/id')).toBeUndefined();
    expect(valueAt(doc, '/missing/deeper')).toBeUndefined();
  });
});
