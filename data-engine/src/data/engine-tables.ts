import type { Knex } from 'knex';

/** Checkpoints of backfills and sync workers, in the database they write to. */
export const CHECKPOINTS_TABLE = 'sync_checkpoints';
/** SQLite only: the row an engine transaction holds while it writes (see engine-transaction.ts). */
export const APPLY_MARKER_TABLE = 'sync_apply_marker';
/** Per entity, the last state the engine carried into this database (see bases/entity-bases.ts). */
export const BASES_TABLE = 'sync_entity_base';
/** Entities the engine set aside instead of writing (see quarantine/quarantine-store.ts). */
export const QUARANTINE_TABLE = 'sync_quarantine';
/** Which process runs each sync worker (see sync/worker-lease.ts): one per capability and direction. */
export const LEASES_TABLE = 'sync_leases';

export const isMysql = (db: Knex): boolean => db.client.config.client === 'mysql2';

function alreadyExists(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === 'ER_TABLE_EXISTS_ERROR' || /already exists/i.test(e?.message ?? '');
}

async function createIfMissing(db: Knex, table: string, build: (t: Knex.CreateTableBuilder) => void): Promise<void> {
  if (await db.schema.hasTable(table)) return;
  try {
    await db.schema.createTable(table, build);
  } catch (error) {
    if (!alreadyExists(error)) throw error; // another process created it in between
  }
}

/**
 * The engine's own tables, created on first use in any database it writes to (each a single DDL,
 * so a crash leaves each one either there or not). They are not in the schema migrations: they
 * belong to the migration tooling, not to the application, and go away with it.
 */
export async function ensureEngineTables(db: Knex): Promise<void> {
  const mysql = isMysql(db);
  await createIfMissing(db, CHECKPOINTS_TABLE, (t) => {
    t.string('name', 191).primary();
    t.text('state').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  if (!mysql) {
    await createIfMissing(db, APPLY_MARKER_TABLE, (t) => {
      t.integer('active').notNullable();
    });
  }
  await createIfMissing(db, LEASES_TABLE, (t) => {
    t.string('name', 191).primary();
    // '' = released.
    t.string('holder', 255).notNullable();
    t.string('slot', 255).nullable();
    t.bigInteger('beat').notNullable();
    // For people reading the table; expiry never compares clocks.
    t.bigInteger('renewed_at').notNullable();
  });
  await createIfMissing(db, BASES_TABLE, (t) => {
    t.string('capability', 32).notNullable();
    t.string('mapping', 64).notNullable();
    // keyText() of the entity key: compared exactly (binary collation on MySQL).
    t.string('entity_key', 512).notNullable().collate('utf8mb4_bin');
    // SHA-256 hex of the canonical form, or 'tombstone'.
    t.string('state', 64).notNullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['capability', 'mapping', 'entity_key']);
  });
  await createIfMissing(db, QUARANTINE_TABLE, (t) => {
    t.increments('id').primary();
    t.string('capability', 32).notNullable();
    // The direction whose target is this database.
    t.string('direction', 16).notNullable();
    t.string('mapping', 64).notNullable();
    t.string('entity_key', 512).notNullable().collate('utf8mb4_bin');
    t.string('kind', 32).notNullable();
    t.string('reason', 1000).notNullable();
    // Both versions, as JSON (canonical form, or the raw row when it cannot be read); null = absent.
    t.text('source_state', 'mediumtext').nullable();
    t.text('target_state', 'mediumtext').nullable();
    t.bigInteger('first_seen_at').notNullable();
    t.bigInteger('last_seen_at').notNullable();
    t.integer('attempts').notNullable();
    t.bigInteger('next_retry_at').notNullable();
    t.bigInteger('resolved_at').nullable();
    t.string('resolution', 200).nullable();
    t.unique(['capability', 'direction', 'mapping', 'entity_key'], { indexName: 'sync_quarantine_entity' });
    t.index(['capability', 'direction', 'resolved_at', 'next_retry_at'], 'sync_quarantine_due');
  });
}

export interface Checkpoint<T> {
  name: string;
  state: T;
  updatedAt: number;
}

export async function readCheckpoint<T>(db: Knex, name: string): Promise<Checkpoint<T> | undefined> {
  if (!(await db.schema.hasTable(CHECKPOINTS_TABLE))) return undefined;
  const row = (await db(CHECKPOINTS_TABLE).where({ name }).first()) as { name: string; state: string; updated_at: unknown } | undefined;
  return row ? { name: row.name, state: JSON.parse(row.state) as T, updatedAt: Number(row.updated_at) } : undefined;
}

export async function listCheckpoints(db: Knex, prefix: string): Promise<Array<Checkpoint<unknown>>> {
  if (!(await db.schema.hasTable(CHECKPOINTS_TABLE))) return [];
  const rows = (await db(CHECKPOINTS_TABLE).where('name', 'like', `${prefix}%`).orderBy('name')) as Array<{ name: string; state: string; updated_at: unknown }>;
  return rows.map((row) => ({ name: row.name, state: JSON.parse(row.state) as unknown, updatedAt: Number(row.updated_at) }));
}

/** Written inside the transaction that applies the rows it describes: both commit or neither. */
export async function writeCheckpoint(trx: Knex.Transaction, name: string, state: unknown, now = Date.now()): Promise<void> {
  await trx(CHECKPOINTS_TABLE)
    .insert({ name, state: JSON.stringify(state), updated_at: now })
    .onConflict('name')
    .merge(['state', 'updated_at']);
}

export async function deleteCheckpoints(db: Knex, prefix: string): Promise<number> {
  if (!(await db.schema.hasTable(CHECKPOINTS_TABLE))) return 0;
  return db(CHECKPOINTS_TABLE).where('name', 'like', `${prefix}%`).delete();
}
