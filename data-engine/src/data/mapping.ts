import type { Knex } from 'knex';
import type { CanonicalRow } from './canonical';
import type { KeyRange } from './keys';
import type { Direction, KeyTuple, Row, SideName } from './types';

/** A table whose writes change the entity, with the columns that give the entity's key. */
export interface CapturedTable {
  table: string;
  keyColumns: readonly string[];
}

/** How one side stores an entity: possibly several tables (the auth service's users + credentials). */
export interface EntitySide {
  /** Tables whose inserts, updates and deletes change the entity (change capture watches these). */
  captured: readonly CapturedTable[];
  /** Tables (and columns) that must exist before anything runs. */
  required: ReadonlyArray<{ table: string; columns: readonly string[] }>;
  /** Entities in key order within `range`, at most `limit` (`lock`: FOR UPDATE on MySQL). */
  readRange(db: Knex, range: KeyRange, limit?: number, options?: { lock?: boolean }): Promise<Row[]>;
  /** The entities with these keys that exist (in no particular order). */
  readKeys(db: Knex, keys: readonly KeyTuple[], options?: { lock?: boolean }): Promise<Row[]>;
  /** Rows whose `column` (a column of the side's main table) is one of `values` (e.g. refunds of payments). */
  readWhereIn(db: Knex, column: string, values: readonly string[]): Promise<Row[]>;
  keyOf(row: Row): KeyTuple;
  /**
   * Writes entities. 'upsert': onConflict().merge() (never INSERT IGNORE), for rows the target has
   * and the caller has locked. 'insert': a plain INSERT for rows the target lacked when read, so a
   * concurrent insert of the same key fails the transaction (to be retried) instead of being
   * silently overwritten by an older version.
   */
  write(trx: Knex.Transaction, rows: readonly Row[], mode: 'insert' | 'upsert'): Promise<void>;
  remove(trx: Knex.Transaction, keys: readonly KeyTuple[]): Promise<void>;
  count(db: Knex): Promise<number>;
}

/** An entity whose rows must exist on the target before this one's (foreign keys). */
export interface ParentLink {
  mapping: string;
  keyOf(row: CanonicalRow): KeyTuple;
}

/**
 * What to do when both sides changed an entity since they last agreed (conflict-rule.ts): given the
 * two versions in canonical form (null: that side deleted it), keep 'a', keep 'b', or 'quarantine'
 * it for an operator. Must be symmetric — resolve(x, y) = 'a' exactly when resolve(y, x) = 'b' — so
 * both sync directions settle it the same way whichever meets it first.
 */
export type ConflictResolver = (a: CanonicalRow | null, b: CanonicalRow | null) => 'a' | 'b' | 'quarantine';

/**
 * A typed mapping between the monolith's tables and a service's for one kind of entity: the key, a
 * transform each way, the canonical form both sides are compared in, and what settles a conflict.
 * The engine (backfill, sync, verify) works on any mapping.
 */
export interface EntityMapping {
  name: string;
  /** The entity key's parts, named as in the canonical form. */
  key: readonly string[];
  monolith: EntitySide;
  service: EntitySide;
  /** Monolith row → the row the service stores (throws on anything it cannot carry exactly). */
  toService(row: Row): Row;
  /** Service row → the row the monolith stores. */
  toMonolith(row: Row): Row;
  /**
   * The canonical form of a row read from either side: equal data, equal form. Must hold:
   * canonical('monolith', m) equals canonical('service', toService(m)) (the engine relies on it to
   * skip a transform).
   */
  canonical(side: SideName, row: Row): CanonicalRow;
  /** Settles a conflict, or sets it aside for an operator (the default: money is never settled by overwriting). */
  resolveConflict: ConflictResolver;
  /** A short label for the resolver in reports ("a revocation wins", "quarantined for an operator"). */
  conflictRule: string;
  /** What a conflict on this entity means, for the operator's report. */
  conflictMeaning: string;
  parents: readonly ParentLink[];
}

export function sideOf(mapping: EntityMapping, side: SideName): EntitySide {
  return side === 'monolith' ? mapping.monolith : mapping.service;
}

export function transformFor(mapping: EntityMapping, direction: Direction): (row: Row) => Row {
  return direction === 'to-service' ? (row) => mapping.toService(row) : (row) => mapping.toMonolith(row);
}

/**
 * Builds an EntityMapping from typed transforms. The engine sees plain rows; the spec's own code is
 * typed against the rows each side really has.
 */
export interface MappingSpec<M extends Row, S extends Row> {
  name: string;
  key: readonly string[];
  monolith: EntitySide;
  service: EntitySide;
  toService(row: M): S;
  toMonolith(row: S): M;
  /** Canonical form of a service-side row; a monolith row is compared through toService unless overridden. */
  canonicalService(row: S): CanonicalRow;
  canonicalMonolith?(row: M): CanonicalRow;
  /** Default: every conflict is quarantined for an operator. */
  conflicts?: { rule?: string; resolve?: ConflictResolver; meaning?: string };
  parents?: readonly ParentLink[];
}

export function defineMapping<M extends Row, S extends Row>(spec: MappingSpec<M, S>): EntityMapping {
  const canonicalMonolith = (row: M) => (spec.canonicalMonolith ? spec.canonicalMonolith(row) : spec.canonicalService(spec.toService(row)));
  return {
    name: spec.name,
    key: spec.key,
    monolith: spec.monolith,
    service: spec.service,
    toService: (row) => spec.toService(row as M),
    toMonolith: (row) => spec.toMonolith(row as S),
    canonical: (side, row) => (side === 'monolith' ? canonicalMonolith(row as M) : spec.canonicalService(row as S)),
    resolveConflict: spec.conflicts?.resolve ?? (() => 'quarantine'),
    conflictRule: spec.conflicts?.rule ?? 'quarantined for an operator',
    conflictMeaning: spec.conflicts?.meaning ?? `both sides changed this ${spec.name.replace(/s$/, '')} since they last agreed`,
    parents: spec.parents ?? [],
  };
}
