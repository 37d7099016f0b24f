/** The profile a session resolves to; the same JSON on every side. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

/** What a side knows about a token (by the SHA-256 of the token; raw tokens never cross the wire). */
export type SessionLookup =
  | { state: 'active'; user: SessionUser; expiresAt: string }
  | { state: 'ended' }
  | { state: 'unknown' };

/** Sessions revoked on a side since a moment of its own clock (its revocation feed, decision 0027). */
export interface Revocations {
  /** This side's clock when the read began: the next read starts a little before it. */
  now: Date;
  tokenHashes: string[];
  /** More were revoked than one answer carries: the reader must forget everything it cached. */
  truncated: boolean;
}

/** A side's own session store, as the shared authentication code needs it. */
export interface LocalSessions {
  lookup(tokenHash: string): Promise<SessionLookup>;
  /** Marks the session revoked; false when this side has no such session. */
  revoke(tokenHash: string): Promise<boolean>;
  /** Sessions whose revoked_at is at or after `since` (none when `since` is undefined). */
  revokedSince(since: Date | undefined): Promise<Revocations>;
}
