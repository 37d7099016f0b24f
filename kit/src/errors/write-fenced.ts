import { AppError } from './app-error';

/**
 * The one answer for a write refused while its capability's write authority moves between the sides
 * (docs/decisions/0018-write-authority-switch.md): nothing was done, retry after `retryAfterSeconds`
 * (with the same Idempotency-Key). The edge's fence renders it, and so does every side whose database
 * fence (data-engine/src/data/fence/) refused the write.
 */
export const WRITE_FENCED = 'WRITE_FENCED';

export const writeFenced = (capability: string | undefined, retryAfterSeconds: number): AppError =>
  new AppError(
    WRITE_FENCED,
    503,
    'Writes paused',
    `Writes${capability ? ` to ${capability}` : ''} are paused for a moment while they move between systems; nothing was done. Retry after ${retryAfterSeconds} s (with the same Idempotency-Key).`,
    { retryable: true, ...(capability ? { capability } : {}), retryAfterSeconds },
  );

/**
 * A database write refused by a write fence's trigger: SQLite `raise(abort, 'WRITE_FENCED')`
 * (SQLITE_CONSTRAINT_TRIGGER), MySQL/MariaDB `signal sqlstate '45000'` with that message (errno 1644).
 */
export function isWriteFenced(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    const { code, errno, message, sqlMessage } = current as { code?: unknown; errno?: unknown; message?: unknown; sqlMessage?: unknown };
    if (sqlMessage === WRITE_FENCED && (errno === 1644 || code === 'ER_SIGNAL_EXCEPTION')) return true;
    if (code === 'SQLITE_CONSTRAINT_TRIGGER' && typeof message === 'string' && message.includes(WRITE_FENCED)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
