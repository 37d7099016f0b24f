import type { Knex } from 'knex';
import { isMysql, QUARANTINE_TABLE } from '../engine-tables';
import { keyFromText, keyText } from '../keys';
import type { Direction, KeyTuple } from '../types';

/**
 * Why an entity was set aside instead of written (docs/decisions/0023-quarantine.md):
 * - conflict: both sides changed it since they last agreed, and its mapping has no safe rule for it;
 * - unreadable-target: the target's row cannot be read by the mapping, so it is never overwritten;
 * - invalid-source: the source's row breaks the mapping's checks or cannot be carried exactly;
 * - refused-by-target: the target database refused the write (a constraint, a unique key taken);
 * - parent-missing: its parent is not on the target and is not being carried (deleted, set aside);
 * - stuck: it failed again and again for another reason.
 * A conflict settled by the mapping's rule is recorded too, already resolved.
 */
export type QuarantineKind = 'conflict' | 'unreadable-target' | 'invalid-source' | 'refused-by-target' | 'parent-missing' | 'stuck';

export interface QuarantineItem {
  mapping: string;
  key: KeyTuple;
  kind: QuarantineKind;
  /** One sentence, naming the row and what the operator can do. */
  reason: string;
  /** Both versions (canonical form, or the raw row when unreadable); null when absent on that side. */
  source: unknown;
  target: unknown;
  /** Set for a conflict settled by the mapping's rule: recorded, not open. */
  resolution?: string;
}

export interface QuarantineRecord extends QuarantineItem {
  id: number;
  capability: string;
  direction: Direction;
  firstSeenAt: number;
  lastSeenAt: number;
  attempts: number;
  nextRetryAt: number;
  resolvedAt: number | null;
}

interface Stored {
  id: number;
  capability: string;
  direction: string;
  mapping: string;
  entity_key: string;
  kind: string;
  reason: string;
  source_state: string | null;
  target_state: string | null;
  first_seen_at: unknown;
  last_seen_at: unknown;
  attempts: unknown;
  next_retry_at: unknown;
  resolved_at: unknown;
  resolution: string | null;
}

const MAX_REASON = 1_000;
const MAX_STATE = 1_000_000;
const MAX_RETRY_MS = 60 * 60 * 1000;

/** JSON of a row or canonical form (dates as ISO text, bigints as digits), capped. */
export function stateJson(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v));
  return text.length > MAX_STATE ? JSON.stringify({ truncated: true, start: text.slice(0, 10_000) }) : text;
}

const parse = (text: string | null): unknown => (text === null ? null : (JSON.parse(text) as unknown));

function fromStored(row: Stored): QuarantineRecord {
  return {
    id: Number(row.id),
    capability: row.capability,
    direction: row.direction as Direction,
    mapping: row.mapping,
    key: keyFromText(row.entity_key),
    kind: row.kind as QuarantineKind,
    reason: row.reason,
    source: parse(row.source_state),
    target: parse(row.target_state),
    firstSeenAt: Number(row.first_seen_at),
    lastSeenAt: Number(row.last_seen_at),
    attempts: Number(row.attempts),
    nextRetryAt: Number(row.next_retry_at),
    resolvedAt: row.resolved_at === null ? null : Number(row.resolved_at),
    ...(row.resolution ? { resolution: row.resolution } : {}),
  };
}

export interface OpenEntry {
  id: number;
  attempts: number;
  firstSeenAt: number;
}

/** The quarantine of one capability and direction, kept in the direction's target database. */
export class QuarantineStore {
  constructor(
    readonly capability: string,
    readonly direction: Direction,
    /** The first retry after this long, doubling per attempt up to an hour. */
    private readonly retryBaseMs = 30_000,
  ) {}

  private scope(db: Knex) {
    return db(QUARANTINE_TABLE).where({ capability: this.capability, direction: this.direction });
  }

  /** Open entries among these entities (`lock`: FOR UPDATE on MySQL), by mapping and key text. */
  async openFor(db: Knex, entities: ReadonlyArray<{ mapping: string; key: KeyTuple }>, options: { lock?: boolean } = {}): Promise<Map<string, OpenEntry>> {
    const found = new Map<string, OpenEntry>();
    const byMapping = new Map<string, string[]>();
    for (const entity of entities) byMapping.set(entity.mapping, [...(byMapping.get(entity.mapping) ?? []), keyText(entity.key)]);
    for (const [mapping, keys] of byMapping) {
      for (let start = 0; start < keys.length; start += 500) {
        const query = this.scope(db).where({ mapping }).whereNull('resolved_at').whereIn('entity_key', keys.slice(start, start + 500)).select('id', 'entity_key', 'attempts', 'first_seen_at');
        if (options.lock && isMysql(db)) query.forUpdate();
        for (const row of (await query) as Array<{ id: number; entity_key: string; attempts: unknown; first_seen_at: unknown }>) {
          found.set(entityId(mapping, row.entity_key), { id: Number(row.id), attempts: Number(row.attempts), firstSeenAt: Number(row.first_seen_at) });
        }
      }
    }
    return found;
  }

  /** Records (or re-records) items; `open` are the entries openFor() returned in this transaction. */
  async record(trx: Knex.Transaction, items: readonly QuarantineItem[], open: ReadonlyMap<string, OpenEntry>, now = Date.now()): Promise<void> {
    for (const item of items) {
      const previous = open.get(entityId(item.mapping, keyText(item.key)));
      const attempts = (previous?.attempts ?? 0) + 1;
      const resolved = item.resolution !== undefined;
      const row = {
        capability: this.capability,
        direction: this.direction,
        mapping: item.mapping,
        entity_key: keyText(item.key),
        kind: item.kind,
        reason: item.reason.length > MAX_REASON ? `${item.reason.slice(0, MAX_REASON - 1)}…` : item.reason,
        source_state: stateJson(item.source),
        target_state: stateJson(item.target),
        first_seen_at: previous?.firstSeenAt ?? now,
        last_seen_at: now,
        attempts,
        next_retry_at: resolved ? now : now + Math.min(MAX_RETRY_MS, this.retryBaseMs * 2 ** Math.min(attempts - 1, 20)),
        resolved_at: resolved ? now : null,
        resolution: item.resolution ?? null,
      };
      await trx(QUARANTINE_TABLE).insert(row).onConflict(['capability', 'direction', 'mapping', 'entity_key']).merge();
    }
  }

  /** Closes open entries: the entity was carried, or found equal on both sides. */
  async resolve(trx: Knex.Transaction, ids: readonly number[], resolution: string, now = Date.now()): Promise<void> {
    for (let start = 0; start < ids.length; start += 500) {
      await trx(QUARANTINE_TABLE).whereIn('id', ids.slice(start, start + 500)).update({ resolved_at: now, resolution });
    }
  }

  /** Open entries whose next retry is due, oldest first. */
  async due(db: Knex, now = Date.now(), limit = 200): Promise<QuarantineRecord[]> {
    const rows = (await this.scope(db).whereNull('resolved_at').where('next_retry_at', '<=', now).orderBy('next_retry_at').limit(limit)) as Stored[];
    return rows.map(fromStored);
  }

  async countsByKind(db: Knex): Promise<Partial<Record<QuarantineKind, number>>> {
    const rows = (await this.scope(db).whereNull('resolved_at').groupBy('kind').select('kind').count({ n: '*' })) as Array<{ kind: QuarantineKind; n: unknown }>;
    return Object.fromEntries(rows.map((row) => [row.kind, Number(row.n)]));
  }

  async openCount(db: Knex): Promise<number> {
    const row = (await this.scope(db).whereNull('resolved_at').count({ n: '*' }).first()) as { n: unknown } | undefined;
    return Number(row?.n ?? 0);
  }
}

export const entityId = (mapping: string, keyTextValue: string): string => `${mapping}\u0000${keyTextValue}`;

/** Reading the quarantine of a database for status, verify and operators (no store needed). */
export async function listQuarantine(db: Knex, capability: string, options: { open?: boolean; limit?: number } = {}): Promise<QuarantineRecord[]> {
  if (!(await db.schema.hasTable(QUARANTINE_TABLE))) return [];
  const query = db(QUARANTINE_TABLE).where({ capability }).orderBy('id');
  if (options.open) query.whereNull('resolved_at');
  if (options.limit !== undefined) query.limit(options.limit);
  return ((await query) as Stored[]).map(fromStored);
}

export interface QuarantineCounts {
  open: number;
  byKind: Partial<Record<QuarantineKind, number>>;
  /** Conflicts settled by a mapping's rule (recorded, not open). */
  settledByRule: number;
}

export async function quarantineCounts(db: Knex, capability: string, direction: Direction): Promise<QuarantineCounts> {
  const counts: QuarantineCounts = { open: 0, byKind: {}, settledByRule: 0 };
  if (!(await db.schema.hasTable(QUARANTINE_TABLE))) return counts;
  const open = (await db(QUARANTINE_TABLE).where({ capability, direction }).whereNull('resolved_at').groupBy('kind').select('kind').count({ n: '*' })) as Array<{ kind: QuarantineKind; n: unknown }>;
  for (const row of open) {
    counts.byKind[row.kind] = Number(row.n);
    counts.open += Number(row.n);
  }
  const settled = (await db(QUARANTINE_TABLE).where({ capability, direction }).where('resolution', 'like', 'rule:%').count({ n: '*' }).first()) as { n: unknown } | undefined;
  counts.settledByRule = Number(settled?.n ?? 0);
  return counts;
}

/** Makes every open entry due now (`data quarantine retry`); returns how many. */
export async function retryAllNow(db: Knex, capability: string): Promise<number> {
  if (!(await db.schema.hasTable(QUARANTINE_TABLE))) return 0;
  return db(QUARANTINE_TABLE).where({ capability }).whereNull('resolved_at').update({ next_retry_at: 0 });
}
