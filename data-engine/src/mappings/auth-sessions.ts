import { toDate, toNullableDate } from '@strangler/kit';

/**
 * Sessions are stored the same way on both sides (decision 0003: SHA-256 hex of the opaque token,
 * user, created, expires, revoked), so the transform is the identity with dates normalised: a token
 * issued on either side is known to the other once synced, and a logout on either ends it on both.
 */
export interface SessionRow {
  token_hash: string;
  user_id: string;
  created_at: unknown;
  expires_at: unknown;
  revoked_at: unknown;
}

export interface WritableSessionRow {
  token_hash: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

export function copySession(row: SessionRow): WritableSessionRow {
  return {
    token_hash: row.token_hash,
    user_id: row.user_id,
    created_at: toDate(row.created_at),
    expires_at: toDate(row.expires_at),
    revoked_at: toNullableDate(row.revoked_at),
  };
}
