import { childPointer, generalisePointer, matchesAny, pointerMatches } from '../src/shadow/json-pointer';

describe('JSON pointers', () => {
  it('escapes ~ and / in keys (RFC 6901)', () => {
    expect(childPointer('', 'a/b')).toBe('/a~1b');
    expect(childPointer('/x', 'm~n')).toBe('/x/m~0n');
    expect(childPointer('/items', 3)).toBe('/items/3');
  });

  it('matches exact pointers and whole subtrees', () => {
    expect(pointerMatches('/payment/createdAt', '/payment/createdAt')).toBe(true);
    expect(pointerMatches('/meta', '/meta/generatedAt')).toBe(true);
    expect(pointerMatches('/meta/generatedAt', '/meta')).toBe(false);
    expect(pointerMatches('/payment/created', '/payment/createdAt')).toBe(false);
    expect(pointerMatches('', '/anything')).toBe(true);
  });

  it('lets * stand for exactly one segment', () => {
    expect(pointerMatches('/payments/*/createdAt', '/payments/0/createdAt')).toBe(true);
    expect(pointerMatches('/payments/*/createdAt', '/payments/17/createdAt')).toBe(true);
    expect(pointerMatches('/payments/*/createdAt', '/payments/17/amount')).toBe(false);
    expect(pointerMatches('/payments/*/createdAt', '/payments/createdAt')).toBe(false);
    expect(pointerMatches('/*/id', '/user/id')).toBe(true);
  });

  it('matches non-pointer fields (status, header:x, body) only exactly', () => {
    expect(pointerMatches('status', 'status')).toBe(true);
    expect(pointerMatches('header:content-type', 'header:content-type')).toBe(true);
    expect(pointerMatches('', 'status')).toBe(false);
    expect(matchesAny(['/a', 'status'], 'status')).toBe(true);
    expect(matchesAny([], '/a')).toBe(false);
  });

  it('generalises array indexes and id-like keys, keeps schema keys', () => {
    expect(generalisePointer('/payments/3/createdAt')).toBe('/payments/*/createdAt');
    expect(generalisePointer('/byId/0b7c5a1e-9f7d-4c1e-8d1a-2b3c4d5e6f70/status')).toBe('/byId/*/status');
    expect(generalisePointer('/byHash/9f86d081884c7d659a2feaa0c55ad015/at')).toBe('/byHash/*/at');
    expect(generalisePointer('/user/email')).toBe('/user/email');
    expect(generalisePointer('/v2/items')).toBe('/v2/items');
    expect(generalisePointer('')).toBe('');
  });
});
