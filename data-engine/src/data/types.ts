/** A row as knex reads or writes it. */
export type Row = Record<string, unknown>;

/** An entity's key: its key column values in the mapping's key order (UUIDs, hex digests: text). */
export type KeyTuple = readonly string[];

/** The two sides of a capability: the legacy monolith's database and the extracted service's. */
export type SideName = 'monolith' | 'service';

/** Which way rows flow: monolith → service while the monolith is authoritative, back after. */
export type Direction = 'to-service' | 'to-monolith';

export const DIRECTIONS: readonly Direction[] = ['to-service', 'to-monolith'];

export const sourceOf = (direction: Direction): SideName => (direction === 'to-service' ? 'monolith' : 'service');
export const targetOf = (direction: Direction): SideName => (direction === 'to-service' ? 'service' : 'monolith');
export const directionFrom = (source: SideName): Direction => (source === 'monolith' ? 'to-service' : 'to-monolith');
export const otherSide = (side: SideName): SideName => (side === 'monolith' ? 'service' : 'monolith');
