import type { Clock } from '@strangler/kit';
import type { HttpClient } from '@strangler/kit/testing';

/** One implementation of a public API, running for real on port 0 with its own fresh database. */
export interface RunningSide {
  url: string;
  api: HttpClient;
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
