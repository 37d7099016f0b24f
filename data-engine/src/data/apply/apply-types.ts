import type { Knex } from 'knex';
import type { BaseStore } from '../bases/entity-bases';
import type { Capability } from '../capabilities/capability';
import type { CanonicalRow } from '../canonical';
import type { StateHash } from '../conflict-rule';
import type { KeyRange } from '../keys';
import type { EntityMapping } from '../mapping';
import type { QuarantineItem, QuarantineStore } from '../quarantine/quarantine-store';
import type { Direction, KeyTuple, Row } from '../types';

export interface ApplyContext {
  capability: Capability;
  direction: Direction;
  source: Knex;
  target: Knex;
  bases: BaseStore;
  quarantine: QuarantineStore;
  /** False when the quarantine is known to be empty: saves a read per batch. */
  quarantineMaybeOpen: boolean;
}

/** What to do for one mapping: the source's current rows, and keys the source no longer has. */
export interface MappingWork {
  mapping: EntityMapping;
  rows: Row[];
  deleted: KeyTuple[];
  /** The key range the rows cover (a backfill chunk): the target is read by range, not by key list. */
  range?: KeyRange;
}

/** One source entity, transformed and hashed before the target transaction opens. */
export interface PreparedRow {
  key: KeyTuple;
  /** The row as the source holds it; null when the source no longer has it (a delete). */
  source: Row | null;
  /** The row as the target will store it (present, valid rows). */
  written?: Row;
  canonical?: CanonicalRow;
  /** Hash of the canonical form, or ABSENT; undefined when invalid. */
  hash?: StateHash;
  /** Why the row cannot be carried (the transform refused it). */
  invalid?: string;
  /** A parent read only because a child needs it on the target (not counted as the work's own). */
  pulledIn?: boolean;
}

export interface PreparedMapping {
  mapping: EntityMapping;
  rows: PreparedRow[];
  range?: KeyRange;
}

export interface PreparedWork {
  byMapping: Map<string, PreparedMapping>;
}

export interface ApplyCounts {
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** The source had not changed since the sides last agreed; the target had (its change goes back). */
  kept: number;
  /** The source row changed between reading and writing: left to the change that moved it. */
  moved: number;
  /** Not brought back: its delete had been carried to the target. */
  tombstoned: number;
  /** Both sides changed it since they last agreed (settled by the mapping's rule or quarantined). */
  conflicts: number;
  /** Set aside (conflict, unreadable, refused, parent missing). */
  quarantined: number;
  /** Parent rows read and applied only because a child needed them (not in the counts above). */
  pulledIn: number;
}

export const emptyCounts = (): ApplyCounts => ({ inserted: 0, updated: 0, deleted: 0, unchanged: 0, kept: 0, moved: 0, tombstoned: 0, conflicts: 0, quarantined: 0, pulledIn: 0 });

export function addCounts(into: ApplyCounts, more: Partial<ApplyCounts>): ApplyCounts {
  for (const [name, n] of Object.entries(more) as Array<[keyof ApplyCounts, number]>) into[name] = (into[name] ?? 0) + n;
  return into;
}

export interface ApplyResult {
  counts: ApplyCounts;
  byMapping: Map<string, ApplyCounts>;
  /** Items recorded in the quarantine (open or settled by rule) by this apply; `fresh`: not already open there. */
  quarantined: Array<QuarantineItem & { fresh?: boolean }>;
  /** Open quarantine entries closed by this apply (the entity was carried or found equal). */
  resolved: number;
}
