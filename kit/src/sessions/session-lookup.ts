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

/** A side's own session store, as the shared authentication code needs it. */
export interface LocalSessions {
  lookup(tokenHash: string): Promise<SessionLookup>;
  /** Marks the session revoked; false when this side has no such session. */
  revoke(tokenHash: string): Promise<boolean>;
}
