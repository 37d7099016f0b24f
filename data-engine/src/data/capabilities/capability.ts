import type { Invariant } from '../invariants/invariant';
import type { EntityMapping } from '../mapping';

/** A capability's data: its entity mappings, parents before children (foreign keys), and what the
 * data must mean on both sides. Declared by the capability's manifest (load-capabilities.ts). */
export interface Capability {
  name: string;
  mappings: readonly EntityMapping[];
  /** What its data must mean on both sides, which verify checks besides comparing rows. */
  invariants: readonly Invariant[];
}

export function mappingNamed(capability: Capability, name: string): EntityMapping {
  const mapping = capability.mappings.find((candidate) => candidate.name === name);
  if (!mapping) throw new Error(`${capability.name} has no mapping ${name}`);
  return mapping;
}
