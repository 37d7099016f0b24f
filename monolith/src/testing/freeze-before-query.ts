import type { Knex } from 'knex';
import { WRITE_DEADLINE_HEADER } from '@strangler/kit';

export interface ArmedFreeze {
  /** True once the freeze happened (the write got as far as the statement). */
  fired(): boolean;
  /** Takes the freeze back if it has not fired. */
  disarm(): void;
}

/**
 * The red team's frozen side (decision 0038), in one process: right before the next statement whose
 * SQL matches `sql` is sent, this whole process stops — timers, sockets, every request, as SIGSTOP or
 * a VM pause would stop it — until the epoch time `until` has passed, then carries on where it was.
 * Once. Statements in a transaction match too (`BEGIN` has been sent: the freeze is inside it).
 */
export function freezeBeforeQuery(knex: Knex, sql: RegExp, until: number): ArmedFreeze {
  let fired = false;
  const listener = (query: { sql: string }) => {
    if (!sql.test(query.sql)) return;
    fired = true;
    knex.removeListener('query', listener);
    const ms = until - Date.now() + 1;
    if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  };
  knex.on('query', listener);
  return { fired: () => fired, disarm: () => knex.removeListener('query', listener) };
}

/** How far ahead `sendFrozenPastDeadline` sets the deadline: time for the request to reach its
 * transaction (a password hash on a busy box) before it passes. */
const DEFAULT_MARGIN_MS = 1_500;

/**
 * Sends a write (`send` adds `headers` — the edge's deadline header — to it) with a deadline `marginMs`
 * ahead, freezing this process before the first statement matching `sql` until that deadline has
 * passed. `frozeInside` says whether the freeze happened (the write started in time and got there).
 */
export async function sendFrozenPastDeadline<R>(
  knex: Knex,
  sql: RegExp,
  send: (headers: Record<string, string>) => Promise<R>,
  marginMs = DEFAULT_MARGIN_MS,
): Promise<{ answer: R; frozeInside: boolean }> {
  const deadline = Date.now() + marginMs;
  const freeze = freezeBeforeQuery(knex, sql, deadline);
  try {
    const answer = await send({ [WRITE_DEADLINE_HEADER]: String(deadline) });
    return { answer, frozeInside: freeze.fired() };
  } finally {
    freeze.disarm();
  }
}
