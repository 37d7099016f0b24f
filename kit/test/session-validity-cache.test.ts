import { createLogger, PeerSessionsClient, SessionAuthenticator, SessionValidityCache, type LocalSessions, type SessionLookup } from '../src';

const user = { id: 'u1', email: 'a@b.c', name: 'A', createdAt: '2026-01-01T00:00:00.000Z' };
const later = () => new Date(Date.now() + 3_600_000).toISOString();
const quiet = createLogger({ name: 'cache-test', level: 'silent' });

/** Peers whose feeds answer what the test says, on a clock the test drives. */
function setup() {
  let now = 0;
  const feeds = new Map<string, { fail?: boolean; revoked: string[]; truncated?: boolean }>([
    ['http://a', { revoked: [] }],
    ['http://b', { revoked: [] }],
  ]);
  const peers = new PeerSessionsClient({ peers: [...feeds.keys()], internalToken: 'x'.repeat(32), timeoutMs: 100, logger: quiet });
  peers.revocations = async (peer: string) => {
    const feed = feeds.get(peer)!;
    if (feed.fail) throw new Error('down');
    const answer = { now: 1_000, revoked: feed.revoked, truncated: feed.truncated ?? false };
    feed.revoked = [];
    feed.truncated = false;
    return answer;
  };
  const cache = new SessionValidityCache({ peers, ttlMs: 60_000, revocationBoundMs: 1_000, logger: quiet, now: () => now });
  // Drives one round of feed reads at the current time (what the poll loop does every 250 ms).
  const poll = async () => {
    for (const peer of feeds.keys()) await (cache as unknown as { poll(peer: string): Promise<void> }).poll(peer);
  };
  return { cache, feeds, poll, advance: (ms: number) => (now += ms), time: () => now };
}

describe('SessionValidityCache', () => {
  it('answers nothing until every peer\'s feed was read, then remembers an active answer', async () => {
    const { cache, feeds, poll } = setup();
    cache.remember('t1', user, later(), 0);
    expect(cache.get('t1')).toBeUndefined();
    feeds.get('http://b')!.fail = true;
    await poll();
    expect(cache.get('t1')).toBeUndefined();
    feeds.get('http://b')!.fail = false;
    await poll();
    expect(cache.get('t1')).toEqual(user);
  });

  it('stops answering once any feed has not been read successfully within the bound', async () => {
    const { cache, feeds, poll, advance } = setup();
    await poll();
    cache.remember('t1', user, later(), 0);
    feeds.get('http://a')!.fail = true;
    advance(900);
    await poll();
    expect(cache.get('t1')).toEqual(user);
    advance(101);
    expect(cache.get('t1')).toBeUndefined();
    feeds.get('http://a')!.fail = false;
    await poll();
    expect(cache.get('t1')).toEqual(user);
  });

  it('drops a token any feed reports revoked, and never caches it again from a lookup that raced the feed', async () => {
    const { cache, feeds, poll } = setup();
    await poll();
    cache.remember('t1', user, later(), 0);
    feeds.get('http://b')!.revoked = ['t1'];
    await poll();
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.isRevoked('t1')).toBe(true);
    cache.remember('t1', user, later(), 0);
    expect(cache.get('t1')).toBeUndefined();
  });

  it('forgets everything when a feed says it could not list every revocation', async () => {
    const { cache, feeds, poll } = setup();
    await poll();
    cache.remember('t1', user, later(), 0);
    feeds.get('http://a')!.truncated = true;
    await poll();
    expect(cache.get('t1')).toBeUndefined();
  });

  it('never answers past the TTL or the session\'s expiry, and a logout here ends it at once', async () => {
    const { cache, poll, advance, time } = setup();
    await poll();
    cache.remember('t1', user, new Date(Date.now() - 1).toISOString(), time());
    expect(cache.get('t1')).toBeUndefined();
    cache.remember('t2', user, later(), time());
    cache.forget('t2');
    expect(cache.get('t2')).toBeUndefined();
    cache.remember('t3', user, later(), time());
    for (let i = 0; i < 61; i++) {
      advance(1_000);
      await poll();
    }
    expect(cache.get('t3')).toBeUndefined();
  });
});

describe('SessionAuthenticator with peers', () => {
  it('asks the peers once for concurrent requests with one token', async () => {
    const peers = new PeerSessionsClient({ peers: ['http://a'], internalToken: 'x'.repeat(32), timeoutMs: 100, logger: quiet });
    let asked = 0;
    peers.lookup = async () => {
      asked += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { state: 'active', user, expiresAt: later() };
    };
    const authenticator = new SessionAuthenticator(undefined, peers);
    const users = await Promise.all(Array.from({ length: 10 }, () => authenticator.authenticate('token')));
    expect(users).toEqual(Array(10).fill(user));
    expect(asked).toBe(1);
    await authenticator.authenticate('token');
    expect(asked).toBe(2);
  });
});

describe('SessionAuthenticator when no peer answers', () => {
  const unreachablePeers = () => {
    const peers = new PeerSessionsClient({ peers: ['http://a'], internalToken: 'x'.repeat(32), timeoutMs: 100, logger: quiet });
    peers.lookup = async () => ({ state: 'unreachable' });
    return peers;
  };
  /** This side's sessions, where the sync delivers a session after `arrivesAfter` lookups. */
  const syncedLater = (arrivesAfter: number, state: 'active' | 'ended' = 'active'): LocalSessions => {
    let lookups = 0;
    return {
      lookup: async (): Promise<SessionLookup> => (++lookups <= arrivesAfter ? { state: 'unknown' } : state === 'active' ? { state, user, expiresAt: later() } : { state }),
      revoke: async () => false,
      revokedSince: async () => ({ now: new Date(), tokenHashes: [], truncated: false }),
    };
  };

  it('finds a session the sync carries here while the other side is down (the drill: /me → 503 after the auth service was killed)', async () => {
    const authenticator = new SessionAuthenticator(syncedLater(3), unreachablePeers(), undefined, 2_000);
    await expect(authenticator.authenticate('token')).resolves.toEqual(user);
  });

  it('refuses a session the sync carries here ended', async () => {
    const authenticator = new SessionAuthenticator(syncedLater(2, 'ended'), unreachablePeers(), undefined, 2_000);
    await expect(authenticator.authenticate('token')).rejects.toMatchObject({ code: 'AUTH_UNAUTHENTICATED', status: 401 });
  });

  it('answers 503, never 401, when the session does not arrive in time', async () => {
    const authenticator = new SessionAuthenticator(syncedLater(Number.MAX_SAFE_INTEGER), unreachablePeers(), undefined, 300);
    await expect(authenticator.authenticate('token')).rejects.toMatchObject({ code: 'AUTH_SESSION_STORE_UNAVAILABLE', status: 503 });
  });
});
