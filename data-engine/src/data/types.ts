import type { Direction, Side as SideName } from '@strangler/cutover-model';

/** A row as knex reads or writes it. */
export type Row = Record<string, unknown>;

/** An entity's key: its key column values in the mapping's key order (UUIDs, hex digests: text). */
export type KeyTuple = readonly string[];

/** The two sides of a capability and the ways rows flow between them: the cutover model's (decision 0040). */
export { DIRECTIONS, sourceOf, targetOf, type Direction, type Side as SideName } from '@strangler/cutover-model';

export const directionFrom = (source: SideName): Direction => (source === 'monolith' ? 'to-service' : 'to-monolith');
export const otherSide = (side: SideName): SideName => (side === 'monolith' ? 'service' : 'monolith');
