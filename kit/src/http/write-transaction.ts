import type { Knex } from 'knex';
import { assertWriteDeadline } from './write-deadline';

/**
 * The transaction every write a request makes runs in: `work`, then — the last thing before COMMIT —
 * the edge's write deadline (decision 0038). Past it, `work`'s changes are rolled back and 503
 * WRITE_DEADLINE_PASSED (retryable) is thrown: a process frozen mid-request (SIGSTOP, a VM pause, a
 * GC stall) does not commit a write the edge gave up on, whose retry the other side may already have
 * done. Outside a request with a deadline (a CLI, a background job) it is a plain transaction.
 *
 * The one home of the pre-commit check: a side's storage opens its write transactions here, and
 * whatever the request did in memory must come after it returns (a refused commit throws first).
 */
export function writeTransaction<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return knex.transaction(async (trx) => {
    const result = await work(trx);
    assertWriteDeadline();
    return result;
  });
}
