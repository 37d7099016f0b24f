import { generalisePointer, isPointer, matchesAny } from './json-pointer';

export interface NoiseThresholds {
  /** A field is noise once it has differed between the two monolith answers this many times… */
  minObservations: number;
  /** …and in at least this share of the route's monolith-vs-monolith comparisons. */
  minRatio: number;
  /** Distinct fields remembered per route. */
  maxPerRoute: number;
}

/**
 * Random ids and timestamps differ on every pair (ratio ~1) and are learned by the second request;
 * a payment captured between the two monolith calls makes `/payment/status` differ once in thousands
 * and must not silence that field for good. (Within its own request such a race is excluded anyway.)
 */
export const DEFAULT_NOISE_THRESHOLDS: NoiseThresholds = { minObservations: 2, minRatio: 0.05, maxPerRoute: 200 };

interface RouteNoise {
  comparisons: number;
  /** generalised field → comparisons in which it differed */
  differed: Map<string, number>;
}

/**
 * Fields the monolith itself answers differently on two identical requests (request ids, timestamps,
 * nonces), learned per route Diffy-style: such a field differing on the service says nothing.
 * Fields are generalised (`/items/3/at` → `/items/*\/at`) and kept per routeKey, bounded.
 */
export class NoiseModel {
  private readonly routes = new Map<string, RouteNoise>();

  constructor(private readonly thresholds: NoiseThresholds = DEFAULT_NOISE_THRESHOLDS) {}

  /**
   * Records one comparison of the two monolith answers and the fields that differed in it (each
   * counted once). Returns the fields that became noise with this observation.
   */
  observe(routeKey: string, fields: string[]): string[] {
    let route = this.routes.get(routeKey);
    if (!route) this.routes.set(routeKey, (route = { comparisons: 0, differed: new Map() }));
    const wasNoise = new Set(this.list(routeKey));
    route.comparisons += 1;
    for (const general of new Set(fields.map((field) => (isPointer(field) ? generalisePointer(field) : field)))) {
      const seen = route.differed.get(general);
      if (seen === undefined && route.differed.size >= this.thresholds.maxPerRoute) continue;
      route.differed.set(general, (seen ?? 0) + 1);
    }
    return this.list(routeKey).filter((field) => !wasNoise.has(field));
  }

  isNoise(routeKey: string, field: string): boolean {
    return matchesAny(this.list(routeKey), field);
  }

  /** The route's fields currently classified as noise, sorted. */
  list(routeKey: string): string[] {
    const route = this.routes.get(routeKey);
    if (!route) return [];
    const { minObservations, minRatio } = this.thresholds;
    return [...route.differed]
      .filter(([, count]) => count >= minObservations && count / route.comparisons >= minRatio)
      .map(([field]) => field)
      .sort();
  }
}
