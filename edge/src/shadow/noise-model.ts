import { generalisePointer, isPointer, matchesAny } from './json-pointer';

/**
 * Fields the monolith itself answers differently on two identical requests (request ids, timestamps,
 * nonces), learned per route Diffy-style: such a field differing on the service says nothing.
 * Learned pointers are generalised (`/items/3/at` → `/items/*\/at`) and kept per routeKey, bounded.
 */
export class NoiseModel {
  private readonly byRoute = new Map<string, Set<string>>();

  constructor(private readonly maxPerRoute = 200) {}

  /** Records the fields that differed between the two monolith answers; returns the ones new to this route. */
  learn(routeKey: string, fields: string[]): string[] {
    let known = this.byRoute.get(routeKey);
    if (!known) this.byRoute.set(routeKey, (known = new Set()));
    const added: string[] = [];
    for (const field of fields) {
      const general = isPointer(field) ? generalisePointer(field) : field;
      if (known.has(general) || matchesAny(known, general)) continue;
      if (known.size >= this.maxPerRoute) break;
      known.add(general);
      added.push(general);
    }
    return added;
  }

  isNoise(routeKey: string, field: string): boolean {
    const known = this.byRoute.get(routeKey);
    return known !== undefined && matchesAny(known, field);
  }

  list(routeKey: string): string[] {
    return [...(this.byRoute.get(routeKey) ?? [])].sort();
  }
}
