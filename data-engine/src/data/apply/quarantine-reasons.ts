import { keyText } from '../keys';
import type { EntityMapping } from '../mapping';
import type { SideName } from '../types';

/** The sentences an operator reads in `data quarantine list` and `status`: what, where, what to do. */
export const reasons = {
  invalidSource: (source: SideName, target: SideName, why: string) => `cannot be carried from the ${source} to the ${target}: ${why}`,
  unreadableTarget: (target: SideName, why: string) =>
    `the ${target}'s row cannot be read (${why}); it is never overwritten: correct it on the ${target} (both versions are recorded here)`,
  conflict: (mapping: EntityMapping) =>
    `${mapping.conflictMeaning}; ${mapping.conflictRule}: compare both versions, then make the sides agree (npm run data -- quarantine resolve … --keep monolith|service)`,
  settled: (mapping: EntityMapping, winner: SideName) => `${mapping.conflictMeaning}; settled by the rule "${mapping.conflictRule}": the ${winner}'s version`,
  parentMissing: (parent: string, parentKey: readonly string[], target: SideName) =>
    `its ${parent.replace(/s$/, '')} ${keyText(parentKey)} is not on the ${target} (deleted there, or set aside itself): carried once the parent is`,
  refused: (target: SideName, why: string) => `the ${target} database refused it: ${why}`,
  stuck: (attempts: number, why: string) => `failed ${attempts} times: ${why}`,
};
