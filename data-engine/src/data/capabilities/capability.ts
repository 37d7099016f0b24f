import type { Invariant } from '../invariants/invariant';
import type { EntityMapping } from '../mapping';

export type CapabilityName = 'auth' | 'payments';

/** A capability the strangler moves: the service database it moves to and its entity mappings,
 * parents before children (foreign keys). */
export interface Capability {
  name: CapabilityName;
  /** The name of the service's database in DATABASES (migrations/src/databases.ts). */
  serviceDatabase: string;
  mappings: readonly EntityMapping[];
  /** What its data must mean on both sides, which verify checks besides comparing rows. */
  invariants: readonly Invariant[];
}

export function mappingNamed(capability: Capability, name: string): EntityMapping {
  const mapping = capability.mappings.find((candidate) => candidate.name === name);
  if (!mapping) throw new Error(`${capability.name} has no mapping ${name}`);
  return mapping;
}
