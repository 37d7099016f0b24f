import type { Clock } from '@strangler/kit';
import type { HttpClient } from '@strangler/kit/testing';

/** One implementation of a public API, running for real on port 0 with its own fresh database. */
export interface RunningSide {
  url: string;
  /** The API under test. */
  api: HttpClient;
  /**
   * Where users register and log in, when this side does not serve the auth API itself (the
   * payments service only accepts tokens that another side issued). Defaults to `api`.
   */
  authApi?: HttpClient;
  stop(): Promise<void>;
}

export interface SideOptions {
  clock?: Clock;
  sessionTtlMs?: number;
}

export interface Side {
  name: string;
  start(dialect: 'sqlite' | 'mysql', options?: SideOptions): Promise<RunningSide>;
}

/** The client that registers users and issues their tokens for `side`. */
export const authApiOf = (side: RunningSide): HttpClient => side.authApi ?? side.api;
