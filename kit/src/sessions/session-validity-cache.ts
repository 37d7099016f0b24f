import type { Logger } from '../logging/logger';
import type { PeerSessionsClient } from './peer-sessions-client';
import type { SessionUser } from './session-lookup';

export interface SessionValidityCacheOptions {
  peers: PeerSessionsClient;
  /** How long a peer's "active" answer may be reused at most (also bounded by the session's expiry). */
  ttlMs: number;
  /**
   * The worst-case revocation delay: a cached answer is used only while every peer's revocation
   * feed was read successfully by a read that started at most this long ago. Feeds are read every
   * quarter of it.
   */
  revocationBoundMs: number;
  logger: Logger;
  /** A monotonic clock in ms (tests may drive it). */
  now?: () => number;
  maxEntries?: number;
}

interface Entry {
  user: SessionUser;
  /** Wall-clock expiry of the session. */
  expiresAt: number;
  /** Monotonic time the peer lookup began. */
  fetchedAt: number;
}

/** Revocations are stamped by the peer's clock when the statement runs; a read restarts this far back. */
const CURSOR_OVERLAP_MS = 10_000;
/** Peers start in any order: a feed not readable yet this soon after start is not worth a warning. */
const START_GRACE_MS = 10_000;

/**
 * Remembers peers' "this session is active" answers so a side does not ask a peer on every request
 * (decision 0027), without letting a logout anywhere go unnoticed for longer than
 * `revocationBoundMs`: every peer's revocation feed is polled, each revoked token is dropped (and
 * remembered as revoked), and the cache answers nothing at all unless every peer's feed was read by
 * a read that started within the bound. A peer that is down or slow therefore turns the cache off
 * (requests go back to asking, and get 503 where they must) instead of stretching the delay.
 */
export class SessionValidityCache {
  private readonly entries = new Map<string, Entry>();
  /** Token hashes seen revoked in a feed or logged out here → when (monotonic). */
  private readonly revoked = new Map<string, number>();
  /** Peer → start of its last successful feed read (monotonic). */
  private readonly freshSince = new Map<string, number>();
  /** Peer → the `since` of its next read (the peer's clock). */
  private readonly cursors = new Map<string, number>();
  private readonly outage = new Set<string>();
  private readonly now: () => number;
  private readonly maxEntries: number;
  private readonly revokedRetentionMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private startedAt = 0;

  constructor(private readonly options: SessionValidityCacheOptions) {
    if (options.ttlMs <= 0 || options.revocationBoundMs <= 0) throw new Error('a session validity cache needs a positive TTL and bound');
    this.now = options.now ?? (() => performance.now());
    this.maxEntries = options.maxEntries ?? 100_000;
    this.revokedRetentionMs = Math.max(options.ttlMs, 60_000);
  }

  /** Starts polling the peers' feeds; nothing is answered from the cache before every feed was read. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.startedAt = this.now();
    void this.pollLoop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A monotonic timestamp to pass to `remember` for a lookup that starts now. */
  lookupStarted(): number {
    return this.now();
  }

  /** The cached user of an active session, if the cache may answer right now. */
  get(tokenHash: string): SessionUser | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    const now = this.now();
    if (now - entry.fetchedAt > this.options.ttlMs || entry.expiresAt <= Date.now()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return this.everyFeedFresh(now) ? entry.user : undefined;
  }

  /** Whether a feed (or a logout here) said this token was revoked, within the retention. */
  isRevoked(tokenHash: string): boolean {
    const at = this.revoked.get(tokenHash);
    return at !== undefined && this.now() - at <= this.revokedRetentionMs;
  }

  /** Caches a peer's "active" answer from a lookup that began at `fetchedAt`, unless revoked meanwhile. */
  remember(tokenHash: string, user: SessionUser, expiresAt: string, fetchedAt: number): void {
    if (this.isRevoked(tokenHash)) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(tokenHash, { user, expiresAt: new Date(expiresAt).getTime(), fetchedAt });
  }

  /** A logout on this side: forget it now, and refuse it even before the feeds report it. */
  forget(tokenHash: string): void {
    this.entries.delete(tokenHash);
    this.markRevoked(tokenHash);
  }

  private everyFeedFresh(now: number): boolean {
    const peers = this.options.peers.peers;
    return peers.length > 0 && peers.every((peer) => now - (this.freshSince.get(peer) ?? -Infinity) <= this.options.revocationBoundMs);
  }

  private markRevoked(tokenHash: string): void {
    this.revoked.delete(tokenHash);
    if (this.revoked.size >= this.maxEntries) {
      const oldest = this.revoked.keys().next().value;
      if (oldest !== undefined) this.revoked.delete(oldest);
    }
    this.revoked.set(tokenHash, this.now());
  }

  private async pollLoop(): Promise<void> {
    while (!this.stopped) {
      const started = this.now();
      await Promise.all(this.options.peers.peers.map((peer) => this.poll(peer)));
      this.prune();
      const wait = Math.max(0, this.options.revocationBoundMs / 4 - (this.now() - started));
      await new Promise<void>((resolve) => {
        this.timer = setTimeout(resolve, wait);
        this.timer.unref();
      });
    }
  }

  private async poll(peer: string): Promise<void> {
    const started = this.now();
    try {
      const feed = await this.options.peers.revocations(peer, this.cursors.get(peer));
      if (feed.truncated) this.entries.clear();
      for (const tokenHash of feed.revoked) {
        this.entries.delete(tokenHash);
        this.markRevoked(tokenHash);
      }
      this.cursors.set(peer, feed.now - CURSOR_OVERLAP_MS);
      this.freshSince.set(peer, started);
      if (this.outage.delete(peer)) this.options.logger.info({ peer }, 'session revocation feed readable again; cached sessions in use');
    } catch (error) {
      const starting = !this.freshSince.has(peer) && this.now() - this.startedAt < START_GRACE_MS;
      if (!starting && !this.outage.has(peer)) {
        this.outage.add(peer);
        this.options.logger.warn({ peer, err: error }, 'session revocation feed unreadable; sessions are checked with the peers on every request');
      }
    }
  }

  private prune(): void {
    const now = this.now();
    for (const [tokenHash, at] of this.revoked) {
      if (now - at <= this.revokedRetentionMs) break;
      this.revoked.delete(tokenHash);
    }
  }
}
