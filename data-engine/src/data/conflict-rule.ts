/**
 * The conflict rule (docs/decisions/0022-three-way-conflict-rule.md): three-way, by content, no clocks.
 *
 * An entity's state on a side is the hash of its canonical form, or ABSENT. For every entity the
 * engine keeps, in each database, the hash of the last state it carried onto that database (its
 * *base* there: a state both sides have held), or TOMBSTONE once a delete was carried there.
 * Applying the source's state S onto the target's T:
 *
 * - S = T: nothing to write (the base is recorded);
 * - T is a base: the target has not changed since the sides last agreed → fast-forward it to S;
 * - S is a base: the source has not changed since, the target has → keep T (its own change is
 *   captured on the target and goes the other way);
 * - neither: both changed since they last agreed → a conflict, never settled by a clock.
 *
 * Both directions apply the same rule, so a conflict is seen (and settled, or quarantined) alike
 * whichever worker meets it first.
 */

/** The entity does not exist on that side. */
export const ABSENT = 'absent';
/** A base recording that a delete was carried: the sides agreed the entity is gone. */
export const TOMBSTONE = 'tombstone';

/** A state hash (SHA-256 hex of the canonical text), or ABSENT. */
export type StateHash = string;
/** A base: a state hash, TOMBSTONE, or undefined when the engine never carried the entity there. */
export type Base = string | undefined;

export interface DecisionInput {
  source: StateHash;
  target: StateHash;
  /** The base in the target database and the base in the source database. */
  bases: { target: Base; source: Base };
  /**
   * The write would bring back an entity whose delete was carried to the target (a backfill's row,
   * or a parent pulled in for a child): refused. A change the sync read from the source's
   * changelog is a real re-creation and is not held by this.
   */
  honourTombstone?: boolean;
}

export type Decision = 'same' | 'fast-forward' | 'keep' | 'conflict' | 'tombstoned';

const asState = (base: string): StateHash => (base === TOMBSTONE ? ABSENT : base);

export function decide(input: DecisionInput): Decision {
  const { source, target, bases } = input;
  if (source === target) return 'same';
  if (input.honourTombstone && target === ABSENT && bases.target === TOMBSTONE) return 'tombstoned';
  const known = [bases.target, bases.source].filter((base): base is string => base !== undefined).map(asState);
  // Never carried either way: the last thing both sides agreed on is that the entity did not exist.
  const agreed = known.length ? known : [ABSENT];
  if (agreed.includes(target)) return 'fast-forward';
  if (agreed.includes(source)) return 'keep';
  return 'conflict';
}
