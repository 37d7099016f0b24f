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

/** As sendFrozenPastDeadline, for a test that needs the freeze: throws when the write did not reach `sql` before its deadline (the test would prove nothing). */
export async function answerFrozenPastDeadline<R>(knex: Knex, sql: RegExp, send: (headers: Record<string, string>) => Promise<R>, marginMs = DEFAULT_MARGIN_MS): Promise<R> {
  const { answer, frozeInside } = await sendFrozenPastDeadline(knex, sql, send, marginMs);
  if (!frozeInside) throw new Error(`the write did not reach ${String(sql)} before its deadline: nothing was frozen inside its transaction (a busy machine? a larger marginMs)`);
  return answer;
}

/** A deadline a minute ahead: the header of a write that has all the time it needs. */
export const freshDeadline = (): Record<string, string> => ({ [WRITE_DEADLINE_HEADER]: String(Date.now() + 60_000) });

/** The parts of an answer a refusal for a passed deadline is judged by, to compare with DEADLINE_REFUSAL. */
export const refusalOf = (res: { status: number; body?: { code?: unknown; retryable?: unknown } }) => ({ status: res.status, code: res.body?.code, retryable: res.body?.retryable });

/** kit's answer to a write whose deadline passed: 503 WRITE_DEADLINE_PASSED, retryable, nothing done. */
export const DEADLINE_REFUSAL = Object.freeze({ status: 503, code: 'WRITE_DEADLINE_PASSED', retryable: true });
