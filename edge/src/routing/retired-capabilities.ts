import { formatManifestProblem, isSafeMethod, parsePattern, patternShape, serviceTakesWrites, type Stage } from '@strangler/cutover-model';
import type { CapabilitySpec, RoutingTable } from './routing-table';

/** The stage a flag is at on this edge now; undefined while flags are not loaded (everything goes to the monolith then). */
export type StageOf = (flag: string) => Stage | undefined;

/** The writes a capability's routes send by its flag: `METHOD /shape` for each unsafe method (`*` included). */
function writeKeys(capability: CapabilitySpec): Set<string> {
  const keys = new Set<string>();
  for (const route of capability.routes) {
    const parsed = parsePattern(route.pattern);
    const shape = 'segments' in parsed ? patternShape(parsed.segments) : route.pattern;
    for (const method of route.methods === '*' ? ['*'] : route.methods) if (!isSafeMethod(method)) keys.add(`${method} ${shape}`);
  }
  return keys;
}

/**
 * Why `next` may not replace `current`: it drops a capability, renames its flag, or drops one of its
 * write routes while the flag gives writes to the service (`unknownStage: 'refuse'`: or while the
 * stage is not known, as at start before the flags load). Applying it would send those writes to the
 * monolith at once, with no gate, no write fence and no drain of the sync: a rollback behind
 * `strangler rollback`'s back, and two writers. The edge keeps the last good version instead.
 */
export function retirementProblems(current: RoutingTable, next: RoutingTable, stageOf: StageOf, fileOf: (capability: string) => string, unknownStage: 'skip' | 'refuse' = 'skip'): string[] {
  const problems: string[] = [];
  for (const old of current.capabilities) {
    const stage = stageOf(old.flag);
    if (stage === undefined ? unknownStage === 'skip' : !serviceTakesWrites(stage)) continue;
    const file = fileOf(old.name);
    const why =
      stage === undefined
        ? `the stage of its flag ${old.flag} is not known yet (the edge is starting): the last good version runs until the flags load, then this is checked again`
        : `its flag ${old.flag} is at stage ${stage} (the service takes writes): roll it back first (strangler rollback ${old.name})`;
    const kept = next.capabilities.find((c) => c.name === old.name);
    if (!kept) problems.push(formatManifestProblem({ file, capability: old.name, field: '(file)', message: `cannot be removed while ${why}` }));
    else if (kept.flag !== old.flag) problems.push(formatManifestProblem({ file, capability: old.name, field: 'flag', message: `cannot change while ${why}` }));
    else {
      const remaining = writeKeys(kept);
      const dropped = [...writeKeys(old)].filter((key) => !remaining.has(key));
      if (dropped.length > 0) problems.push(formatManifestProblem({ file, capability: old.name, field: 'routes', message: `cannot drop ${dropped.join(', ')} while ${why}` }));
    }
  }
  return problems;
}
