import { parsePattern, type PatternSegment } from '@strangler/cutover-model';
import type { CapabilitySpec, RouteSpec, RoutingTable } from './routing-table';

export interface RouteMatch {
  capability: CapabilitySpec;
  route: RouteSpec;
  /** The method and the pattern, e.g. `GET /api/payments/:id`: a bounded metrics/report label. */
  routeKey: string;
}

interface CompiledRoute {
  capability: CapabilitySpec;
  route: RouteSpec;
  segments: PatternSegment[];
  rank: number[];
  /** The match answered for each method, made once (a routes snapshot never changes). */
  matches: Map<string, RouteMatch>;
}

const RANK = { literal: 0, param: 1, rest: 2 } as const;
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

function compareRoutes(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.rank.length, b.rank.length);
  for (let i = 0; i < length; i += 1) {
    const difference = (a.rank[i] ?? -1) - (b.rank[i] ?? -1);
    if (difference !== 0) return difference;
  }
  // Same shape: an explicit method list beats "any method".
  return Number(a.route.methods === '*') - Number(b.route.methods === '*');
}

function methodMatches(route: RouteSpec, method: string): boolean {
  if (route.methods === '*') return true;
  return route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'));
}

function segmentsMatch(pattern: PatternSegment[], path: string[]): boolean {
  for (let i = 0; i < pattern.length; i += 1) {
    const segment = pattern[i]!;
    if (segment.kind === 'rest') return true;
    const part = path[i];
    if (part === undefined) return false;
    if (segment.kind === 'literal' && segment.value !== part) return false;
  }
  return pattern.length === path.length;
}

/** The path's segments, lower-cased (the upstreams route case-insensitively, as express does), one trailing slash ignored. */
function pathSegments(url: string): string[] | undefined {
  const query = url.indexOf('?');
  const path = (query === -1 ? url : url.slice(0, query)).toLowerCase();
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed === '/' || trimmed === '') return [];
  const parts = trimmed.slice(1).split('/');
  // Dot segments are left to the monolith rather than letting `/api/payments/../orders` pick a side.
  for (const part of parts) {
    if (part === '') return undefined;
    const first = part.charCodeAt(0);
    if ((first === 0x2e /* . */ || first === 0x25) /* % */ && DOT_SEGMENT.test(part)) return undefined;
  }
  return parts;
}

/**
 * Which capability owns a request: the most specific matching route wins (literal segments over
 * `:params` over `*`, compared left to right). No match means the monolith.
 */
export class RouteMatcher {
  private readonly routes: CompiledRoute[];

  constructor(table: RoutingTable) {
    this.routes = table.capabilities
      .flatMap((capability) =>
        capability.routes.map((route) => {
          const parsed = parsePattern(route.pattern);
          if ('error' in parsed) throw new Error(`invalid route pattern ${route.pattern}: ${parsed.error}`);
          return { capability, route, segments: parsed.segments, rank: parsed.segments.map((s) => RANK[s.kind]), matches: new Map<string, RouteMatch>() };
        }),
      )
      .sort(compareRoutes);
  }

  match(method: string, url: string): RouteMatch | undefined {
    const segments = pathSegments(url);
    if (!segments) return undefined;
    for (const candidate of this.routes) {
      if (!methodMatches(candidate.route, method) || !segmentsMatch(candidate.segments, segments)) continue;
      let match = candidate.matches.get(method);
      if (!match) {
        match = Object.freeze({ capability: candidate.capability, route: candidate.route, routeKey: `${method} ${candidate.route.pattern}` });
        // Bounded by the methods clients send: only a handful are ever seen.
        if (candidate.matches.size < 64) candidate.matches.set(method, match);
      }
      return match;
    }
    return undefined;
  }
}
