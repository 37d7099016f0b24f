import type { Knex } from 'knex';
import { BASES_TABLE, isMysql } from '../engine-tables';
import { keyText } from '../keys';
import { rowsPerStatement } from '../table-side';
import type { KeyTuple } from '../types';

/**
 * Per entity and database: the state (canonical hash) the engine last carried into that database,
 * or 'tombstone' once it carried a delete there — a state both sides have held, which the conflict
 * rule measures changes against (conflict-rule.ts). Written only in the transaction that writes
 * the entity's row (or finds it already equal), so row and base commit together.
 */
export interface BaseStore {
  /**
   * The bases of these entities (missing: never carried here). `lock`: FOR UPDATE on MySQL.
   * `contiguous`: the keys are every entity of a key range (a backfill chunk), so their bases are
   * read as one span of the table rather than by a list of keys.
   */
  read(db: Knex, mapping: string, keys: readonly KeyTuple[], options?: { lock?: boolean; contiguous?: boolean }): Promise<Map<string, string>>;
  write(trx: Knex.Transaction, mapping: string, entries: ReadonlyArray<{ key: KeyTuple; state: string }>): Promise<void>;
}

/**
 * Keys per read: a backfill chunk's bases in a few statements (each round trip waits its turn on a
 * busy event loop; 10,000 keys of ~40 bytes are well under max_allowed_packet), SQLite's under its
 * variable limit.
 */
const readSlice = (db: Knex): number => (isMysql(db) ? 5_000 : 500);

/** Fewer keys than this are read by list: a span saves nothing. */
const SPAN_MIN_KEYS = 64;

/**
 * The span of key texts that holds every one of `texts` as the table orders them (utf8mb4_bin on
 * MySQL, BINARY on SQLite: by code point), or undefined when JavaScript's order of these texts may
 * differ from that (a character outside the BMP, stored as a surrogate pair). Two key texts are
 * JSON arrays, so neither is a proper prefix of the other and PAD SPACE never decides.
 */
function spanOf(texts: readonly string[]): { low: string; high: string } | undefined {
  let low = texts[0];
  let high = texts[0];
  for (const text of texts) {
    if (/[\uD800-\uDFFF]/.test(text)) return undefined;
    if (low === undefined || text < low) low = text;
    if (high === undefined || text > high) high = text;
  }
  return low === undefined || high === undefined ? undefined : { low, high };
}

/** Whether a database has the table, asked once per database (a dry run may meet one without it). */
const tableKnown = new WeakMap<object, Promise<boolean>>();
function hasBases(db: Knex): Promise<boolean> {
  const id = db.client.config as object;
  let known = tableKnown.get(id);
  if (!known) {
    // A real promise: a knex builder is a thenable that would run again on every await.
    known = Promise.resolve().then(() => db.schema.hasTable(BASES_TABLE));
    // A table created later (by ensureEngineTables) is seen on the next ask.
    void known.then((exists) => (exists ? undefined : tableKnown.delete(id)), () => tableKnown.delete(id));
    tableKnown.set(id, known);
  }
  return known;
}

export function baseStore(capability: string): BaseStore {
  return {
    async read(db, mapping, keys, options = {}) {
      const found = new Map<string, string>();
      if (keys.length === 0 || !(await hasBases(db))) return found;
      const texts = [...new Set(keys.map(keyText))];
      const span = options.contiguous && texts.length >= SPAN_MIN_KEYS ? spanOf(texts) : undefined;
      if (span) {
        // Bases of other entities in the span (carried deletes, say) are read and dropped. A span
        // holding many more than these keys means the database orders the keys otherwise than their
        // text: then by list, as below (the rows locked meanwhile stay locked until the transaction ends).
        const limit = texts.length * 2 + 100;
        const query = db(BASES_TABLE)
          .where({ capability, mapping })
          .whereBetween('entity_key', [span.low, span.high])
          .select('entity_key', 'state')
          .orderBy('entity_key')
          .limit(limit);
        if (options.lock && isMysql(db)) query.forUpdate();
        const rows = (await query) as Array<{ entity_key: string; state: string }>;
        if (rows.length < limit) {
          const wanted = new Set(texts);
          for (const row of rows) if (wanted.has(row.entity_key)) found.set(row.entity_key, row.state);
          return found;
        }
      }
      const slice = readSlice(db);
      for (let start = 0; start < texts.length; start += slice) {
        const query = db(BASES_TABLE)
          .where({ capability, mapping })
          .whereIn('entity_key', texts.slice(start, start + slice))
          .select('entity_key', 'state');
        if (options.lock && isMysql(db)) query.forUpdate();
        for (const row of (await query) as Array<{ entity_key: string; state: string }>) found.set(row.entity_key, row.state);
      }
      return found;
    },
    async write(trx, mapping, entries) {
      if (entries.length === 0) return;
      const now = Date.now();
      const rows = entries.map((entry) => ({ capability, mapping, entity_key: keyText(entry.key), state: entry.state, updated_at: now }));
      const slice = rowsPerStatement(trx, Object.keys(rows[0] ?? {}).length);
      for (let start = 0; start < rows.length; start += slice) {
        await trx(BASES_TABLE)
          .insert(rows.slice(start, start + slice))
          .onConflict(['capability', 'mapping', 'entity_key'])
          .merge(['state', 'updated_at']);
      }
    },
  };
}
