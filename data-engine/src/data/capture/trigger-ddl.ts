import { createHash } from 'node:crypto';
import type { Dialect } from '@strangler/kit';
import { APPLY_MARKER_TABLE } from '../engine-tables';
import { MYSQL_SUPPRESS_VARIABLE } from '../engine-transaction';

/** A table to watch: writes to it record the entity key of `mapping` in the changelog. */
export interface WatchedTable {
  mapping: string;
  table: string;
  keyColumns: readonly string[];
}

export type TriggerEvent = 'insert' | 'update' | 'delete';
export const TRIGGER_EVENTS: readonly TriggerEvent[] = ['insert', 'update', 'delete'];

export const changelogTable = (capability: string): string => `sync_changelog_${capability}`;
export const triggerPrefix = (capability: string): string => `sync_${capability}_`;
/** The name every version of one capture trigger starts with (the installed one adds its definition's hash). */
export const triggerStem = (capability: string, table: string, event: TriggerEvent): string => `${triggerPrefix(capability)}${table}_${event.slice(0, 3)}`;

/** Matches a capture trigger of `stem`: the stem alone (installs before versioning) or with a hash. */
export const isVersionOf = (name: string, stem: string): boolean => name === stem || new RegExp(`^${stem}_[0-9a-f]{8}$`).test(name);

const OP: Record<TriggerEvent, string> = { insert: 'I', update: 'U', delete: 'D' };

export function quote(dialect: Dialect, identifier: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(identifier)) throw new Error(`unsafe identifier: ${identifier}`);
  return dialect === 'mysql' ? `\`${identifier}\`` : `"${identifier}"`;
}

const literal = (text: string): string => {
  if (!/^[a-z0-9_-]*$/i.test(text)) throw new Error(`unsafe literal: ${text}`);
  return `'${text}'`;
};

export function changelogDdl(dialect: Dialect, capability: string): string {
  const table = quote(dialect, changelogTable(capability));
  // seq is never reused (SQLite AUTOINCREMENT; InnoDB keeps its counter): a checkpoint naming
  // a sequence number never names a later change.
  return dialect === 'mysql'
    ? `create table if not exists ${table} (
        seq bigint unsigned not null auto_increment primary key,
        mapping varchar(64) not null,
        entity_key varchar(512) not null,
        op char(1) not null,
        captured_at bigint not null
      ) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`
    : `create table if not exists ${table} (
        seq integer primary key autoincrement,
        mapping text not null,
        entity_key text not null,
        op text not null,
        captured_at integer not null
      )`;
}

export function dropTriggerSql(dialect: Dialect, name: string): string {
  return `drop trigger if exists ${quote(dialect, name)}`;
}

/** A capture trigger as installed: its versioned name and the statement that creates it. */
export interface TriggerDefinition {
  stem: string;
  name: string;
  sql: string;
}

/**
 * The trigger's name carries a hash of its definition, so an installed trigger with the expected
 * name is the expected trigger (re-installing leaves it alone), and a changed definition is
 * created beside the old one before the old one is dropped: capture never has a gap.
 */
export function triggerDefinition(dialect: Dialect, capability: string, watched: WatchedTable, event: TriggerEvent): TriggerDefinition {
  const stem = triggerStem(capability, watched.table, event);
  const body = createTriggerSql(dialect, capability, watched, event, '@@NAME@@');
  const name = `${stem}_${createHash('sha256').update(body).digest('hex').slice(0, 8)}`;
  if (name.length > 64) throw new Error(`trigger name too long for MySQL: ${name}`);
  return { stem, name, sql: body.replace('@@NAME@@', quote(dialect, name)) };
}

function createTriggerSql(dialect: Dialect, capability: string, watched: WatchedTable, event: TriggerEvent, quotedName: string): string {
  const q = (identifier: string) => quote(dialect, identifier);
  const name = quotedName;
  const changelog = q(changelogTable(capability));
  const keyOf = (row: 'NEW' | 'OLD') => `json_array(${watched.keyColumns.map((c) => `${row}.${q(c)}`).join(', ')})`;
  const now = dialect === 'mysql' ? 'round(unix_timestamp(now(3)) * 1000)' : "cast((julianday('now') - 2440587.5) * 86400000.0 as integer)";
  const insert = (row: 'NEW' | 'OLD') =>
    `insert into ${changelog} (mapping, entity_key, op, captured_at) values (${literal(watched.mapping)}, ${keyOf(row)}, ${literal(OP[event])}, ${now})`;
  const row = event === 'delete' ? 'OLD' : 'NEW';
  const keyChanged =
    dialect === 'mysql'
      ? `not (${watched.keyColumns.map((c) => `OLD.${q(c)} <=> NEW.${q(c)}`).join(' and ')})`
      : `not (${watched.keyColumns.map((c) => `OLD.${q(c)} is NEW.${q(c)}`).join(' and ')})`;

  if (dialect === 'mysql') {
    // One statement (no DELIMITER needed): the server parses the compound IF as the trigger body.
    const oldKey = event === 'update' ? ` if ${keyChanged} then ${insert('OLD')}; end if;` : '';
    return `create trigger ${name} after ${event} on ${q(watched.table)} for each row
      if coalesce(${MYSQL_SUPPRESS_VARIABLE}, 0) = 0 then ${insert(row)};${oldKey} end if`;
  }
  const oldKey =
    event === 'update'
      ? ` insert into ${changelog} (mapping, entity_key, op, captured_at) select ${literal(watched.mapping)}, ${keyOf('OLD')}, 'U', ${now} where ${keyChanged};`
      : '';
  return `create trigger ${name} after ${event} on ${q(watched.table)}
    when not exists (select 1 from ${q(APPLY_MARKER_TABLE)})
    begin ${insert(row)};${oldKey} end`;
}
