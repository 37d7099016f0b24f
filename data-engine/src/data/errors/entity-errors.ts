import { isUniqueViolation } from '@strangler/kit';
import { keyText } from '../keys';
import type { KeyTuple } from '../types';

const MAX_MESSAGE = 500;

/**
 * An error as one short sentence: a driver's message without the statement it ran (knex prefixes
 * the whole SQL — with every value of a 1,000-row insert — to the database's own message), capped.
 */
export function describeError(error: unknown): string {
  const e = error as { sqlMessage?: string; message?: string; code?: string } | undefined;
  let text = e?.sqlMessage ?? e?.message ?? String(error);
  // knex: "<sql> - <driver message>"; keep the driver's part.
  const cut = text.lastIndexOf(' - ');
  if (cut >= 0 && /^\s*(insert|update|delete|select|with)\b/i.test(text)) text = text.slice(cut + 3);
  text = text.replace(/\s+/g, ' ').trim();
  if (e?.code && !text.includes(e.code)) text = `${text} (${e.code})`;
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/** One entity that could not be read, transformed or written: reported with what and why. */
export class EntityError extends Error {
  constructor(
    readonly mapping: string,
    readonly key: KeyTuple,
    cause: unknown,
  ) {
    super(`${mapping} ${keyText(key)}: ${describeError(cause)}`, { cause });
    this.name = 'EntityError';
  }
}

/** A row refused on purpose, before any write: the transform or the mapping's checks said no. */
export class RowRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RowRefusedError';
  }
}

const MYSQL_DATA_ERRORS = new Set([
  'ER_DUP_ENTRY',
  'ER_NO_REFERENCED_ROW',
  'ER_NO_REFERENCED_ROW_2',
  'ER_ROW_IS_REFERENCED',
  'ER_ROW_IS_REFERENCED_2',
  'ER_CHECK_CONSTRAINT_VIOLATED',
  'ER_CONSTRAINT_FAILED',
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_BAD_NULL_ERROR',
  'ER_NO_DEFAULT_FOR_FIELD',
  'WARN_DATA_TRUNCATED',
]);

/**
 * Whether the database refused the row itself (a constraint, a value that does not fit), so trying
 * it again unchanged can only fail again: the row is set aside rather than retried for ever.
 */
export function isDataError(error: unknown): boolean {
  if (error instanceof RowRefusedError || error instanceof EntityError) return true;
  const e = error as { code?: string; name?: string } | undefined;
  if (e?.name === 'AuthEmailConflictError') return true;
  if (isUniqueViolation(error)) return true;
  const code = String(e?.code ?? '');
  return MYSQL_DATA_ERRORS.has(code) || code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG';
}
