/** The two sides of a cutover: the monolith, and the service a capability moves to. */
export const SIDES = ['monolith', 'service'] as const;
export type Side = (typeof SIDES)[number];

/** Which way data is carried between the sides (backfill, sync). */
export const DIRECTIONS = ['to-service', 'to-monolith'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** The side a direction reads from. */
export const sourceOf = (direction: Direction): Side => (direction === 'to-service' ? 'monolith' : 'service');

/** The side a direction writes to. */
export const targetOf = (direction: Direction): Side => (direction === 'to-service' ? 'service' : 'monolith');
