import type { Knex } from 'knex';
import type { CanonicalRow } from '../canonical';
import type { KeyTuple, SideName } from '../types';

/**
 * What a capability's data must mean, beyond both sides holding the same rows: verify checks these
 * on both databases (docs/decisions/0025-verify-invariants.md). Three shapes, by what they need:
 */

/** A rule on one entity and, optionally, rows related to it (a payment and its refunds), checked
 * chunk by chunk as verify reads the mapping, on each side, in canonical form. */
export interface RowInvariant {
  kind: 'row';
  name: string;
  /** The rule, in a sentence. */
  rule: string;
  mapping: string;
  /** Rows of another mapping whose `column` holds this entity's key (single-part keys). */
  related?: { mapping: string; column: string };
  /** Why the entity breaks the rule, or undefined when it holds. */
  check(row: CanonicalRow, related: readonly CanonicalRow[]): string | undefined;
}

/** A rule over a whole table of one side (one user per email), as a query. */
export interface SideInvariant {
  kind: 'side';
  name: string;
  rule: string;
  check(db: Knex, side: SideName): Promise<Array<{ key: KeyTuple; detail: string }>>;
}

/** A rule across the two sides, checked on the rows verify found different (no second full read). */
export interface AcrossInvariant {
  kind: 'across';
  name: string;
  rule: string;
  mapping: string;
  /** Why this difference breaks the rule (undefined: it does not). */
  check(difference: { key: KeyTuple; kind: string; fields?: Record<string, { monolith: unknown; service: unknown }> }, dbs: Record<SideName, Knex>): Promise<string | undefined>;
}

export type Invariant = RowInvariant | SideInvariant | AcrossInvariant;

export interface InvariantViolation {
  side: SideName | 'both';
  key: KeyTuple;
  detail: string;
}

export interface InvariantReport {
  name: string;
  rule: string;
  violations: number;
  /** The first few, with why. */
  samples: InvariantViolation[];
}
