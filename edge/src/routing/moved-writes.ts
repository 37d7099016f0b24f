import { isSafeMethod, parsePattern, patternShape, type PatternSegment } from '@strangler/cutover-model';
import { RouteMatcher } from './route-matcher';
import type { CapabilitySpec, RouteSpec, RoutingTable } from './routing-table';

/** A write request whose owner differs between two routing tables: a capability (by name and flag) or none (the monolith). */
export interface MovedWrite {
  /** e.g. `POST /api/payments/:any/capture` (`:any`: any segment no route names there). */
  request: string;
  from: CapabilitySpec | undefined;
  to: CapabilitySpec | undefined;
  /** The capability whose route edit moved it (a route only one of the tables has). */
  movedBy: CapabilitySpec;
}

/** A segment no literal can equal (a literal never holds %00: route-pattern.ts refuses it), so only `:param` and `*` match it. */
const ANY = '%00';
/** A method no route lists, standing for every method only `*` routes take. */
const ANY_METHOD = 'X-ANY-METHOD';

interface Compiled {
  capability: CapabilitySpec;
  route: RouteSpec;
  segments: PatternSegment[];
  key: string;
}

function compile(table: RoutingTable): Compiled[] {
  return table.capabilities.flatMap((capability) =>
    capability.routes.flatMap((route) => {
      const parsed = parsePattern(route.pattern);
      if (!('segments' in parsed)) return [];
      const methods = route.methods === '*' ? '*' : [...route.methods].sort().join(',');
      return [{ capability, route, segments: parsed.segments, key: `${capability.name}\0${capability.flag}\0${methods}\0${patternShape(parsed.segments)}` }];
    }),
  );
}

/** The segment a pattern demands at `index` of a path `length` long: a literal, any segment, or none (no path that long matches it). */
function demand(segments: PatternSegment[], index: number, length: number): string | null {
  const rest = segments.length > 0 && segments[segments.length - 1]!.kind === 'rest';
  const fixed = rest ? segments.length - 1 : segments.length;
  if (rest ? length < fixed : length !== fixed) return null;
  const segment = segments[index];
  return segment?.kind === 'literal' ? segment.value : ANY;
}

/**
 * The most general path of `length` segments both patterns match (a literal where either has one, any
 * segment elsewhere), or undefined. Whichever route wins a concrete path matched by both also wins this
 * one: every route matching it matches the concrete path too.
 */
function meet(a: PatternSegment[], b: PatternSegment[], length: number): string | undefined {
  const parts: string[] = [];
  for (let i = 0; i < length; i += 1) {
    const x = demand(a, i, length);
    const y = demand(b, i, length);
    if (x === null || y === null) return undefined;
    if (x !== ANY && y !== ANY && x !== y) return undefined;
    parts.push(x !== ANY ? x : y);
  }
  return '/' + parts.join('/');
}

const ownerKey = (capability: CapabilitySpec | undefined) => (capability ? `${capability.name}\0${capability.flag}` : '');

/**
 * Every write whose owner `next` changes, found without enumerating paths: a winner changes at some
 * path only where a route one table has and the other lacks is involved, so the paths tried are the
 * meets of each such route with every route (and itself), at every length up to the longest pattern
 * and one more, with every unsafe method a route lists and one standing for the rest. Catches what a
 * per-capability comparison cannot: a more specific route of another capability taking some of a
 * capability's requests, or its removal giving them back.
 */
export function movedWrites(current: RoutingTable, next: RoutingTable): MovedWrite[] {
  const before = compile(current);
  const after = compile(next);
  const keysBefore = new Set(before.map((r) => r.key));
  const keysAfter = new Set(after.map((r) => r.key));
  const changed = [...before.filter((r) => !keysAfter.has(r.key)), ...after.filter((r) => !keysBefore.has(r.key))];
  if (changed.length === 0) return [];
  const all = [...before, ...after];
  const longest = Math.max(...all.map((r) => r.segments.length)) + 1;
  const methods = new Set<string>([ANY_METHOD]);
  for (const { route } of all) if (route.methods !== '*') for (const method of route.methods) if (!isSafeMethod(method)) methods.add(method);
  const paths = new Set<string>();
  for (const a of changed) for (const b of all) for (let length = 0; length <= longest; length += 1) {
    const path = meet(a.segments, b.segments, length);
    if (path !== undefined) paths.add(path);
  }
  const oldMatcher = new RouteMatcher(current);
  const newMatcher = new RouteMatcher(next);
  const changedRoutes = new Set(changed.map((r) => r.route));
  const moved: MovedWrite[] = [];
  for (const path of paths) {
    for (const method of methods) {
      const was = oldMatcher.match(method, path);
      const is = newMatcher.match(method, path);
      if (ownerKey(was?.capability) === ownerKey(is?.capability)) continue;
      const mover = is && changedRoutes.has(is.route) ? is : was && changedRoutes.has(was.route) ? was : (is ?? was)!;
      const shown = path.split('/').map((part) => (part === ANY ? ':any' : part)).join('/') || '/';
      moved.push({ request: `${method === ANY_METHOD ? '*' : method} ${shown}`, from: was?.capability, to: is?.capability, movedBy: mover.capability });
    }
  }
  return moved;
}
