import { createHash } from 'node:crypto';
import { AppError } from '../errors/app-error';
import type { PeerAnswer, PeerSessionsClient } from './peer-sessions-client';
import type { LocalSessions, SessionUser } from './session-lookup';
import type { SessionValidityCache } from './session-validity-cache';

export const sessionErrors = {
  unauthenticated: () => new AppError('AUTH_UNAUTHENTICATED', 401, 'Unauthenticated', 'A valid bearer token is required.'),
  peerUnavailable: () =>
    new AppError(
      'AUTH_SESSION_STORE_UNAVAILABLE',
      503,
      'Session store unavailable',
      'The session could not be checked right now; retry shortly.',
      { retryable: true },
    ),
};

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const DEFAULT_SYNC_PATIENCE_MS = 2_000;
const SYNC_POLL_MS = 100;

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

export function bearerTokenFrom(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  return BEARER.exec(authorization.trim())?.[1];
}

/**
 * Resolves a bearer token on any side: this side's sessions first (a session ended here stays ended),
 * then the peers' (a token issued on the other side of the migration is as good as one issued here).
 * A peer that cannot be reached makes the answer 503, never a 401 that would log the user out.
 *
 * With a validity cache (decision 0027), a peer's "active" answer is reused while the cache may
 * answer, and a token any side's revocation feed reported is refused even where a synced copy of
 * the session still looks active.
 */
export class SessionAuthenticator {
  /** Lookups under way, by token hash: concurrent requests with one token ask the peers once. */
  private readonly asking = new Map<string, { answer: Promise<PeerAnswer>; started: number | undefined }>();

  constructor(
    private readonly local: LocalSessions | undefined,
    private readonly peers: PeerSessionsClient | undefined,
    private readonly cache?: SessionValidityCache,
    /** How long a token no peer can vouch for is looked for locally (the sync carrying it). */
    private readonly syncPatienceMs = DEFAULT_SYNC_PATIENCE_MS,
  ) {}

  async authenticate(token: string | undefined): Promise<SessionUser> {
    if (!token) throw sessionErrors.unauthenticated();
    const tokenHash = hashToken(token);
    if (this.cache?.isRevoked(tokenHash)) throw sessionErrors.unauthenticated();
    const mine = this.local ? await this.local.lookup(tokenHash) : { state: 'unknown' as const };
    if (mine.state === 'active') return mine.user;
    if (mine.state === 'ended' || !this.peers?.enabled) throw sessionErrors.unauthenticated();
    const cached = this.cache?.get(tokenHash);
    if (cached) return cached;
    const { answer, started } = this.askPeers(this.peers, tokenHash);
    const theirs = await answer;
    if (theirs.state === 'active') {
      if (started !== undefined) this.cache?.remember(tokenHash, theirs.user, theirs.expiresAt, started);
      return theirs.user;
    }
    if (theirs.state === 'unreachable') return this.awaitSync(tokenHash);
    throw sessionErrors.unauthenticated();
  }

  /**
   * No peer answers (the other side is down): a session created there moments ago is on its way
   * here through the sync, which runs apart from the services. It is looked for locally for a
   * short while before the answer becomes 503 (never 401).
   */
  private async awaitSync(tokenHash: string): Promise<SessionUser> {
    const deadline = Date.now() + this.syncPatienceMs;
    while (this.local && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, SYNC_POLL_MS));
      const mine = await this.local.lookup(tokenHash);
      if (mine.state === 'active') return mine.user;
      if (mine.state === 'ended') throw sessionErrors.unauthenticated();
    }
    throw sessionErrors.peerUnavailable();
  }

  private askPeers(peers: PeerSessionsClient, tokenHash: string): { answer: Promise<PeerAnswer>; started: number | undefined } {
    const under = this.asking.get(tokenHash);
    if (under) return under;
    const lookup = { answer: peers.lookup(tokenHash).finally(() => this.asking.delete(tokenHash)), started: this.cache?.lookupStarted() };
    this.asking.set(tokenHash, lookup);
    return lookup;
  }

  /**
   * Ends the session on every side that holds it. The validity cache learns of the logout only once
   * a side has ended it: a revoke that failed (a write fence, a database down) leaves the session as
   * it is everywhere, so the client's retry logs out for real instead of being told 401 by a cache
   * that alone believed it ended (the drill: logout → 503 WRITE_FENCED → retry 401, session still live).
   */
  async logout(token: string): Promise<void> {
    const tokenHash = hashToken(token);
    const revokedHere = this.local ? await this.local.revoke(tokenHash) : false;
    if (revokedHere) this.cache?.forget(tokenHash);
    if (!this.peers?.enabled) {
      if (!revokedHere) throw sessionErrors.unauthenticated();
      return;
    }
    const { revokedOn, allAnswered } = await this.peers.revoke(tokenHash);
    if (revokedOn > 0) this.cache?.forget(tokenHash);
    if (revokedHere || revokedOn > 0) return;
    throw allAnswered ? sessionErrors.unauthenticated() : sessionErrors.peerUnavailable();
  }
}
