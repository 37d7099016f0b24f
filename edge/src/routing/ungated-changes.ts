import { formatManifestProblem, isSafeMethod, parsePattern, patternShape, serviceAnswers, serviceTakesWrites, type Stage } from '@strangler/cutover-model';
import { movedWrites } from './moved-writes';
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

const UNKNOWN = (flag: string) => `the stage of its flag ${flag} is not known yet (the edge is starting): the last good version runs until the flags load, then this is checked again`;

/**
 * Retiring: `next` drops a capability, renames its flag, or drops one of its write routes while the
 * flag gives writes to the service. Applying it would send those writes to the monolith at once, with
 * no gate, no write fence and no drain of the sync: a rollback behind `strangler rollback`'s back.
 */
function retirementProblems(current: RoutingTable, next: RoutingTable, stageOf: StageOf, fileOf: (capability: string) => string): string[] {
  const problems: string[] = [];
  for (const old of current.capabilities) {
    const stage = stageOf(old.flag);
    if (stage !== undefined && !serviceTakesWrites(stage)) continue;
    const problem = (field: string, message: string) => problems.push(formatManifestProblem({ file: fileOf(old.name), capability: old.name, field, message }));
    const why = stage === undefined ? UNKNOWN(old.flag) : `its flag ${old.flag} is at stage ${stage} (the service takes writes): roll it back first (strangler rollback ${old.name})`;
    const kept = next.capabilities.find((c) => c.name === old.name);
    if (!kept) problem('(file)', `cannot be removed while ${why}`);
    else if (kept.flag !== old.flag) problem('flag', `cannot change while ${why}`);
    else {
      const remaining = writeKeys(kept);
      const dropped = [...writeKeys(old)].filter((key) => !remaining.has(key));
      if (dropped.length > 0) problem('routes', `cannot drop ${dropped.join(', ')} while ${why}`);
    }
  }
  return problems;
}

/**
 * Arriving: `next` adds a capability (or gives one a new flag) whose flag already lets the service
 * answer clients, or adds write routes to a capability while the service takes its writes. Applying
 * it would move those requests from the monolith to the service at once, with none of the gates
 * `strangler flip` checks on the way there (sync caught up, verify clean), no write fence and no
 * drain: two writers for the same data. A capability arrives at monolith or shadow and moves on by flips.
 */
function arrivalProblems(current: RoutingTable, next: RoutingTable, stageOf: StageOf, fileOf: (capability: string) => string): string[] {
  const problems: string[] = [];
  for (const arriving of next.capabilities) {
    const stage = stageOf(arriving.flag);
    if (stage !== undefined && !serviceAnswers(stage)) continue;
    const problem = (field: string, message: string) => problems.push(formatManifestProblem({ file: fileOf(arriving.name), capability: arriving.name, field, message }));
    const why =
      stage === undefined
        ? UNKNOWN(arriving.flag)
        : `its flag ${arriving.flag} is already at stage ${stage} (the service answers clients): set the flag to monolith or shadow first, then take it forward with strangler flip ${arriving.name}, whose gates check the data`;
    const known = current.capabilities.find((c) => c.name === arriving.name);
    if (!known) problem('(file)', `cannot be added while ${why}`);
    else if (known.flag !== arriving.flag) problem('flag', `cannot become ${arriving.flag} while ${why}`);
    else if (stage === undefined || serviceTakesWrites(stage)) {
      const before = writeKeys(known);
      const added = [...writeKeys(arriving)].filter((key) => !before.has(key));
      if (added.length > 0) problem('routes', `cannot add ${added.join(', ')} while ${stage === undefined ? UNKNOWN(arriving.flag) : `its flag ${arriving.flag} is at stage ${stage} (the service takes writes): those writes would move to the service with no gate or write fence; roll it back first (strangler rollback ${arriving.name})`}`);
    }
  }
  return problems;
}

/**
 * Why `next` may not replace `current` on a running edge: a change that would move requests between
 * the sides without `strangler flip`/`rollback` (their gates, the write fence, the drain of the sync).
 * A change whose stage cannot be judged yet (the flags not loaded) is refused too, on every load: the
 * runtime checks again once the flags load. The edge keeps the last
 * good version instead, and says why.
 */
export function ungatedChanges(current: RoutingTable, next: RoutingTable, stageOf: StageOf, fileOf: (capability: string) => string): string[] {
  const problems = [...retirementProblems(current, next, stageOf, fileOf), ...arrivalProblems(current, next, stageOf, fileOf)];
  return [...problems, ...movedWriteProblems(current, next, stageOf, fileOf, problems)];
}

/**
 * Writes that change hands through another capability's routes (found open by the red team on
 * 9fe6909): a capability at monolith adding `POST /api/payments/:id/capture`'s more specific twin, or
 * one with a more general `*` route losing the specific route that kept requests off it. No
 * capability dropped or added a write route of its own, yet writes moved to or from a service that
 * takes them, ungated. Moves already explained by the checks above (same capability) are not repeated.
 */
function movedWriteProblems(current: RoutingTable, next: RoutingTable, stageOf: StageOf, fileOf: (capability: string) => string, reported: string[]): string[] {
  const takesWrites = (capability: CapabilitySpec | undefined): boolean => {
    if (!capability) return false;
    const stage = stageOf(capability.flag);
    return stage === undefined || serviceTakesWrites(stage);
  };
  const sideOf = (capability: CapabilitySpec | undefined): string => {
    if (!capability) return 'the monolith (no capability)';
    const stage = stageOf(capability.flag);
    return `${capability.name} (its flag ${capability.flag} is ${stage === undefined ? 'at a stage not known yet' : `at stage ${stage}`})`;
  };
  const named = (name: string) => reported.some((problem) => problem.includes(`capability ${name}:`));
  const grouped = new Map<string, { mover: CapabilitySpec; from: CapabilitySpec | undefined; to: CapabilitySpec | undefined; requests: string[] }>();
  for (const move of movedWrites(current, next)) {
    if (!takesWrites(move.from) && !takesWrites(move.to)) continue;
    if ((move.from && named(move.from.name)) || (move.to && named(move.to.name))) continue;
    const key = [move.movedBy.name, move.from?.name, move.to?.name].join('\0');
    const group = grouped.get(key) ?? { mover: move.movedBy, from: move.from, to: move.to, requests: [] };
    group.requests.push(move.request);
    grouped.set(key, group);
  }
  return [...grouped.values()].map(({ mover, from, to, requests }) => {
    const shown = requests.length > 3 ? `${requests.slice(0, 3).join(', ')} and ${requests.length - 3} more` : requests.join(', ');
    return formatManifestProblem({
      file: fileOf(mover.name),
      capability: mover.name,
      field: 'routes',
      message: `would move ${shown} from ${sideOf(from)} to ${sideOf(to)} with no flip: a write moving to or from a service that takes writes needs its gates, the write fence and the drain (strangler flip or rollback of the capability that takes them); change the routes once neither takes writes`,
    });
  });
}
