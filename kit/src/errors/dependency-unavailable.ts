/**
 * Whether an error says a dependency of this process (its database) cannot be reached or is
 * saturated, rather than that one request went wrong. Such errors are answered 503, which tells the
 * edge's circuit breaker the side is unhealthy; a 500 is one request's problem and never trips it
 * (docs/decisions/0016-breaker-failures.md).
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  // mysql2 / MariaDB: the server went away, is shutting down, or has no connection left.
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  // SQLite: another writer held the database past the busy timeout.
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
]);

export function isDependencyUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    const { name, code, fatal } = current as { name?: unknown; code?: unknown; fatal?: unknown };
    // knex: no pooled connection became free within acquireConnectionTimeout.
    if (name === 'KnexTimeoutError') return true;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    // mysql2 marks errors that broke the connection itself as fatal.
    if (fatal === true) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
