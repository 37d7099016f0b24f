import type { CanonicalRow } from './canonical';
import type { ConflictResolver } from './mapping';

/**
 * Conflict rules a mapping may choose (mapping.ts, ConflictResolver). Each is symmetric: it picks
 * the same version whichever side it is handed first, so both sync directions agree.
 */

/** A delete on either side wins over a change on the other (an erasure stays erased); else `otherwise`. */
export function deleteWins(otherwise: ConflictResolver): ConflictResolver {
  return (a, b) => (a === null ? 'a' : b === null ? 'b' : otherwise(a, b));
}

/** Every conflict is set aside for an operator. */
export const quarantineConflict: ConflictResolver = () => 'quarantine';

function sameExcept(a: CanonicalRow, b: CanonicalRow, field: string): boolean {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  fields.delete(field);
  return [...fields].every((name) => (a[name] ?? null) === (b[name] ?? null));
}

/**
 * For an entity that only ever changes by being revoked (a session): the revoked version wins, and
 * of two revocations the earlier. Any other difference is not this rule's to settle.
 */
export function revocationWins(field: string): ConflictResolver {
  return (a, b) => {
    if (!a || !b || !sameExcept(a, b, field)) return 'quarantine';
    const x = a[field] ?? null;
    const y = b[field] ?? null;
    if (x === null) return y === null ? 'quarantine' : 'b';
    if (y === null) return 'a';
    return Number(x) <= Number(y) ? 'a' : 'b';
  };
}
