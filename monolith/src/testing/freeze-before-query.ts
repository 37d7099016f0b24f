import type { Knex } from 'knex';

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
