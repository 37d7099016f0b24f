import type { Invariant } from '../invariants/invariant';
import type { EntityMapping } from '../mapping';

/** A problem with a capability's data as a whole: the manifest field and why. */
export interface CapabilityDataProblem {
  field: string;
  message: string;
}

/** What the engine builds from a capability's name: changelog, fence and trigger names (capture/trigger-ddl.ts). */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/i;
/** `sync_<capability>_<table>_ins_<8 hex>` within MySQL's 64 characters. */
const triggerNameLength = (capability: string, table: string): number => `sync_${capability}_${table}_ins_00000000`.length;

/**
 * The rules across a capability's mappings and invariants: unique mapping names, parents listed
 * before their children, invariants naming mappings the capability has, and names the engine can
 * turn into tables and triggers.
 */
export function checkCapabilityData(capability: string, mappings: readonly EntityMapping[], invariants: ReadonlyArray<{ field: string; invariants: readonly Invariant[] }>): CapabilityDataProblem[] {
  const problems: CapabilityDataProblem[] = [];
  if (!IDENTIFIER.test(capability)) {
    problems.push({ field: 'name', message: `a capability that moves data needs a name of letters, digits and _ (the engine names its changelog table and triggers after it), not ${JSON.stringify(capability)}` });
  }
  const seen = new Set<string>();
  mappings.forEach((mapping, i) => {
    const field = `data.mappings.${i}`;
    if (seen.has(mapping.name)) problems.push({ field, message: `mapping ${mapping.name} is listed twice` });
    for (const parent of mapping.parents) {
      if (!seen.has(parent.mapping)) problems.push({ field, message: `${mapping.name}'s parent ${parent.mapping} must be listed before it` });
    }
    seen.add(mapping.name);
    for (const table of [...mapping.monolith.captured, ...mapping.service.captured].map((captured) => captured.table)) {
      if (!IDENTIFIER.test(table)) problems.push({ field, message: `${mapping.name} captures table ${JSON.stringify(table)}, which is not a plain SQL name` });
      else if (triggerNameLength(capability, table) > 64) problems.push({ field, message: `capture trigger names for ${capability} on table ${table} would pass MySQL's 64 characters: shorten one of the names` });
    }
  });
  for (const { field, invariants: list } of invariants) {
    for (const invariant of list) {
      const named = [invariant.kind === 'side' ? undefined : invariant.mapping, invariant.kind === 'row' ? invariant.related?.mapping : undefined];
      for (const mapping of named) {
        if (mapping !== undefined && !seen.has(mapping)) problems.push({ field, message: `invariant ${invariant.name} names mapping ${mapping}, which ${capability} does not list` });
      }
    }
  }
  return problems;
}
