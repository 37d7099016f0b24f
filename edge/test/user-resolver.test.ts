import { LruCache } from '../src/identity/lru-cache';
import { UserResolver, type LookupResult, type SessionPeers } from '../src/identity/user-resolver';

const user = (id: string) => ({ id, email: `${id}@example.com`, name: id, createdAt: '2026-01-01T00:00:00.000Z' });

function peers(answer: (hash: string) => Promise<Awaited<ReturnType<SessionPeers['lookup']>>>, enabled = true) {
  const lookup = jest.fn(answer);
  return { peers: { enabled, lookup } as SessionPeers, lookup };
}

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([1, undefined, 3, 2]);
  });
});

describe('UserResolver', () => {
  it('resolves a token hash through the peers once, then from the cache', async () => {
    const { peers: p, lookup } = peers(async () => ({ state: 'active', user: user('u1'), expiresAt: '' }));
    const results: LookupResult[] = [];
    const resolver = new UserResolver({ peers: p, capacity: 10, budgetMs: 1_000, onLookup: (r) => results.push(r) });
    expect(await resolver.resolve('h1')).toBe('u1');
    expect(await resolver.resolve('h1')).toBe('u1');
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(results).toEqual(['resolved', 'cached']);
  });

  it('shares one lookup between concurrent requests for the same token', async () => {
    let release: () => void = () => undefined;
    const { peers: p, lookup } = peers(() => new Promise((resolve) => (release = () => resolve({ state: 'active', user: user('u2'), expiresAt: '' }))));
    const resolver = new UserResolver({ peers: p, capacity: 10, budgetMs: 1_000 });
    const all = Promise.all([resolver.resolve('h'), resolver.resolve('h'), resolver.resolve('h')]);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await all).toEqual(['u2', 'u2', 'u2']);
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it('gives up after its budget but lets the lookup finish and fill the cache', async () => {
    let release: () => void = () => undefined;
    const { peers: p } = peers(() => new Promise((resolve) => (release = () => resolve({ state: 'active', user: user('u3'), expiresAt: '' }))));
    const resolver = new UserResolver({ peers: p, capacity: 10, budgetMs: 10 });
    expect(await resolver.resolve('h')).toBeUndefined();
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await resolver.resolve('h')).toBe('u3');
  });

  it('remembers unknown tokens for a while, and does not cache an unreachable answer', async () => {
    let now = 0;
    const { peers: unknown, lookup } = peers(async () => ({ state: 'unknown' }));
    const resolver = new UserResolver({ peers: unknown, capacity: 10, budgetMs: 100, negativeTtlMs: 1_000, now: () => now });
    expect(await resolver.resolve('bad')).toBeUndefined();
    expect(await resolver.resolve('bad')).toBeUndefined();
    expect(lookup).toHaveBeenCalledTimes(1);
    now = 1_001;
    await resolver.resolve('bad');
    expect(lookup).toHaveBeenCalledTimes(2);

    const { peers: down, lookup: downLookup } = peers(async () => ({ state: 'unreachable' }));
    const other = new UserResolver({ peers: down, capacity: 10, budgetMs: 100 });
    await other.resolve('h');
    await other.resolve('h');
    expect(downLookup).toHaveBeenCalledTimes(2);
  });

  it('asks nobody when peer lookups are not configured', async () => {
    const { peers: p, lookup } = peers(async () => ({ state: 'unknown' }), false);
    expect(await new UserResolver({ peers: p, capacity: 10, budgetMs: 100 }).resolve('h')).toBeUndefined();
    expect(lookup).not.toHaveBeenCalled();
  });
});

describe('LruCache against a reference model', () => {
  it('keeps, forgets and orders entries exactly as a least-recently-used map (random operations)', () => {
    // The reference: a Map re-inserted on every use, oldest first.
    const capacity = 7;
    const cache = new LruCache<number, number>(capacity);
    const model = new Map<number, number>();
    let seed = 42;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let i = 0; i < 20_000; i += 1) {
      const key = random(20);
      const op = random(10);
      if (op < 5) {
        const expected = model.get(key);
        if (expected !== undefined) {
          model.delete(key);
          model.set(key, expected);
        }
        expect(cache.get(key)).toBe(expected);
      } else if (op < 9) {
        model.delete(key);
        model.set(key, i);
        if (model.size > capacity) model.delete(model.keys().next().value as number);
        cache.set(key, i);
      } else {
        model.delete(key);
        cache.delete(key);
      }
      expect(cache.size).toBe(model.size);
    }
    for (const [key, value] of model) expect(cache.get(key)).toBe(value);
  });
});
