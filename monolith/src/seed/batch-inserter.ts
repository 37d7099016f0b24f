import type { Knex } from 'knex';
import type { Dialect } from '@strangler/kit';
import { SEED_TABLES, type RowValues, type SeedTable } from './seed-rows';

/** SQLite's bound-parameter ceiling (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
const SQLITE_MAX_VARIABLES = 32_766;

export interface BatchInserterOptions {
  /** Rows per multi-row INSERT (capped so rows × columns stays under SQLite's variable limit). */
  rowsPerStatement?: number;
  /** Commit after about this many rows. Default: SQLite one transaction for the whole run (a single
   * writer either way, and each commit costs an fsync); MySQL every 20k rows, so the undo log stays
   * small and a failure late in a 10M-row run keeps what was already written. */
  rowsPerTransaction?: number;
}

/**
 * Buffers rows per table and writes them as multi-row INSERTs inside transactions. Writes go out in
 * SEED_TABLES order, so as long as a parent is added before its children, foreign keys hold at
 * every statement. Not safe for concurrent use: one run, one connection.
 */
export class BatchInserter {
  private readonly buffers = new Map<SeedTable, RowValues[]>();
  private readonly counts = new Map<SeedTable, number>();
  private readonly sqlCache = new Map<string, string>();
  private readonly rowsPerStatement: number;
  private readonly rowsPerTransaction: number;
  private transaction: Knex.Transaction | undefined;
  private rowsInTransaction = 0;

  constructor(
    private readonly knex: Knex,
    dialect: Dialect,
    options: BatchInserterOptions = {},
  ) {
    this.rowsPerStatement = options.rowsPerStatement ?? 1_000;
    this.rowsPerTransaction = options.rowsPerTransaction ?? (dialect === 'sqlite' ? Number.POSITIVE_INFINITY : 20_000);
  }

  async add(table: SeedTable, row: RowValues): Promise<void> {
    let buffer = this.buffers.get(table);
    if (!buffer) this.buffers.set(table, (buffer = []));
    buffer.push(row);
    if (buffer.length >= this.statementRows(table)) await this.flush();
  }

  /** Writes every buffered row; commits when the transaction has grown big enough. */
  async flush(): Promise<void> {
    for (const table of Object.keys(SEED_TABLES) as SeedTable[]) {
      const buffer = this.buffers.get(table);
      if (!buffer || buffer.length === 0) continue;
      const size = this.statementRows(table);
      for (let start = 0; start < buffer.length; start += size) await this.insert(table, buffer.slice(start, start + size));
      this.buffers.set(table, []);
    }
    if (this.rowsInTransaction >= this.rowsPerTransaction) await this.commit();
  }

  /** Writes what is left and commits. */
  async finish(): Promise<void> {
    await this.flush();
    await this.commit();
  }

  /** Rolls back the open transaction (rows already committed stay). */
  async abort(): Promise<void> {
    const transaction = this.transaction;
    this.transaction = undefined;
    this.buffers.clear();
    if (transaction && !transaction.isCompleted()) await transaction.rollback();
  }

  written(table: SeedTable): number {
    return this.counts.get(table) ?? 0;
  }

  private statementRows(table: SeedTable): number {
    return Math.max(1, Math.min(this.rowsPerStatement, Math.floor(SQLITE_MAX_VARIABLES / SEED_TABLES[table].length)));
  }

  private async insert(table: SeedTable, rows: RowValues[]): Promise<void> {
    const bindings: unknown[] = [];
    for (const row of rows) for (const value of row) bindings.push(value);
    this.transaction ??= await this.knex.transaction();
    await this.transaction.raw(this.insertSql(table, rows.length), bindings as Knex.RawBinding[]);
    this.counts.set(table, this.written(table) + rows.length);
    this.rowsInTransaction += rows.length;
  }

  private async commit(): Promise<void> {
    const transaction = this.transaction;
    this.transaction = undefined;
    this.rowsInTransaction = 0;
    if (transaction) await transaction.commit();
  }

  /** `insert into t (a, b) values (?, ?), (?, ?)`: one plain VALUES list, which both dialects take
   * (knex's own SQLite multi-row insert is a UNION ALL, capped at 500 rows per statement). */
  private insertSql(table: SeedTable, rowCount: number): string {
    const key = `${table}:${rowCount}`;
    let sql = this.sqlCache.get(key);
    if (!sql) {
      const columns = SEED_TABLES[table];
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      sql = `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: rowCount }, () => tuple).join(', ')}`;
      // Only full statements repeat; caching every odd-sized tail would just hold memory.
      if (rowCount === this.statementRows(table)) this.sqlCache.set(key, sql);
    }
    return sql;
  }
}
