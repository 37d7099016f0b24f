import { AppError } from './app-error';

/**
 * The one answer for a write refused while its capability's write authority moves between the sides
 * (docs/decisions/0018-write-authority-switch.md): nothing was done, retry after `retryAfterSeconds`
 * (with the same Idempotency-Key). Rendered by the edge's fence today, and meant for any side that
 * refuses a fenced write.
 */
export const WRITE_FENCED = 'WRITE_FENCED';

export const writeFenced = (capability: string, retryAfterSeconds: number): AppError =>
  new AppError(
    WRITE_FENCED,
    503,
    'Writes paused',
    `Writes to ${capability} are paused for a moment while they move between systems; nothing was done. Retry after ${retryAfterSeconds} s (with the same Idempotency-Key).`,
    { retryable: true, capability, retryAfterSeconds },
  );
