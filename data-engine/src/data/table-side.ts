import type { Knex } from 'knex';
import { isMysql } from './engine-tables';
import { keyOfRow, whereInRange, whereKeyIn, type KeyRange } from './keys';
import type { CapturedTable, EntitySide } from './mapping';
import type { KeyTuple, Row } from './types';

export interface TableSideSpec {
  table: string;
  /** Key columns, in the mapping's key order. */
  key: readonly string[];
  /** Every column written (key included). */
  columns: readonly string[];
  /** Extra read-only columns from joined tables (a refund's currency is its payment's). */
  joins?: ReadonlyArray<{ table: string; on: [string, string]; select: Record<string, string> }>;
  /** Runs before the upsert in the same transaction (e.g. unique-email checks). */
  beforeUpsert?: (trx: Knex.Transaction, rows: readonly Row[]) => Promise<void>;
  /** Runs after it: writes the entity's other tables (the auth service's credentials). */
  afterUpsert?: (trx: Knex.Transaction, rows: readonly Row[], mode: 'insert' | 'upsert') => Promise<void>;
  /** Other tables that must exist. */
  alsoRequired?: ReadonlyArray<{ table: string; columns: readonly string[] }>;
  /** Other tables whose writes change this entity. */
  alsoCaptured?: readonly CapturedTable[];
}


/** Rows per statement: under SQLite's 500-term compound SELECT (knex's multi-row upsert) and 32,766
 * variables, and MySQL's 65,535 placeholders. */
export function rowsPerStatement(db: Knex, columns: number): number {
  return isMysql(db) ? Math.max(1, Math.min(2_000, Math.floor(60_000 / columns))) : Math.max(1, Math.min(500, Math.floor(32_000 / columns)));
}

export function pick(row: Row, columns: readonly string[]): Row {
  const picked: Row = {};
  for (const column of columns) picked[column] = row[column] === undefined ? null : row[column];
  return picked;
}

/**
 * Idempotent upsert: INSERT … ON DUPLICATE KEY UPDATE / ON CONFLICT DO UPDATE, never INSERT IGNORE.
 * `mode: 'insert'` writes a plain INSERT instead (see EntitySide.write).
 */
export async function upsertRows(trx: Knex.Transaction, table: string, key: readonly string[], columns: readonly string[], rows: readonly Row[], mode: 'insert' | 'upsert' = 'upsert'): Promise<void> {
  if (rows.length === 0) return;
  const updates = columns.filter((column) => !key.includes(column));
  const size = rowsPerStatement(trx, columns.length);
  for (let start = 0; start < rows.length; start += size) {
    const slice = rows.slice(start, start + size).map((row) => pick(row, columns));
    if (mode === 'insert') {
      await trx(table).insert(slice);
      continue;
    }
    const insert = trx(table).insert(slice).onConflict([...key]);
    await (updates.length ? insert.merge(updates) : insert.merge());
  }
}

/** A side that stores the entity in one table (plus read-only joined columns). */
export function tableSide(spec: TableSideSpec): EntitySide {
  const qualified = (column: string) => `${spec.table}.${column}`;
  const keyColumns = spec.key.map(qualified);
  const selectList = (): Array<string | Record<string, string>> => [
    ...spec.columns.map(qualified),
    ...(spec.joins ?? []).map((join) => join.select),
  ];
  const base = (db: Knex): Knex.QueryBuilder => {
    const query = db(spec.table).select(selectList());
    for (const join of spec.joins ?? []) query.leftJoin(join.table, join.on[0], join.on[1]);
    return query;
  };
  return {
    captured: [{ table: spec.table, keyColumns: spec.key }, ...(spec.alsoCaptured ?? [])],
    required: [{ table: spec.table, columns: spec.columns }, ...(spec.alsoRequired ?? [])],
    async readRange(db: Knex, range: KeyRange, limit?: number, options: { lock?: boolean } = {}): Promise<Row[]> {
      const query = whereInRange(base(db), keyColumns, range).orderBy(keyColumns.map((column) => ({ column })));
      if (limit !== undefined) query.limit(limit);
      if (options.lock && isMysql(db)) query.forUpdate();
      return query;
    },
    async readKeys(db: Knex, keys: readonly KeyTuple[], options: { lock?: boolean } = {}): Promise<Row[]> {
      if (keys.length === 0) return [];
      const rows: Row[] = [];
      const size = isMysql(db) ? 1_000 : 400;
      for (let start = 0; start < keys.length; start += size) {
        const query = whereKeyIn(base(db), keyColumns, keys.slice(start, start + size));
        // Locks the target's rows until the engine's transaction ends (MySQL; SQLite's engine
        // transactions hold the single write lock from their first statement).
        if (options.lock && isMysql(db)) query.forUpdate();
        rows.push(...((await query) as Row[]));
      }
      return rows;
    },
    async readWhereIn(db: Knex, column: string, values: readonly string[]): Promise<Row[]> {
      const rows: Row[] = [];
      const size = isMysql(db) ? 1_000 : 400;
      for (let start = 0; start < values.length; start += size) {
        rows.push(...((await base(db).whereIn(qualified(column), values.slice(start, start + size))) as Row[]));
      }
      return rows;
    },
    keyOf: (row) => keyOfRow(row, spec.key),
    async write(trx, rows, mode) {
      if (rows.length === 0) return;
      if (spec.beforeUpsert) await spec.beforeUpsert(trx, rows);
      await upsertRows(trx, spec.table, spec.key, spec.columns, rows, mode);
      if (spec.afterUpsert) await spec.afterUpsert(trx, rows, mode);
    },
    async remove(trx, keys) {
      const size = rowsPerStatement(trx, spec.key.length);
      for (let start = 0; start < keys.length; start += size) {
        await whereKeyIn(trx(spec.table), spec.key, keys.slice(start, start + size)).delete();
      }
    },
    async count(db) {
      const row = (await db(spec.table).count({ n: '*' }).first()) as { n: number | string } | undefined;
      return Number(row?.n ?? 0);
    },
  };
}
