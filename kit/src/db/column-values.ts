/** mysql2 returns DATETIME as Date; better-sqlite3 returns what knex stored (epoch ms). */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return new Date(Number(value));
    return new Date(value.includes('T') || value.endsWith('Z') ? value : `${value.replace(' ', 'T')}Z`);
  }
  throw new TypeError(`not a date column value: ${String(value)}`);
}

export function toNullableDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}
