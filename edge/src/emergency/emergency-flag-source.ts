import type { Context, Variant } from 'unleash-client';
import type { FlagClient, FlagSource, FlagSourceStatus } from '../flags/flag-source';
import { MONOLITH_FALLBACK } from '../flags/flag-source';
import type { EmergencyStops } from './emergency-stops';

/** A client that answers "off" (the monolith) for a flag under an emergency stop, and otherwise asks `inner`. */
class StoppableFlagClient implements FlagClient {
  constructor(
    private readonly inner: FlagClient,
    private readonly stops: EmergencyStops,
  ) {}

  getVariant(name: string, context: Context, fallbackVariant: Variant): Variant & { feature_enabled?: boolean } {
    if (this.stops.activeFor(name)) return { ...MONOLITH_FALLBACK, feature_enabled: false };
    return this.inner.getVariant(name, context, fallbackVariant);
  }

  getFeatureToggleDefinition(name: string) {
    const definition = this.inner.getFeatureToggleDefinition(name);
    return definition && this.stops.activeFor(name) ? { ...definition, enabled: false } : definition;
  }

  getFeatureToggleDefinitions() {
    return this.inner.getFeatureToggleDefinitions().map((definition) => (this.stops.activeFor(definition.name) ? { ...definition, enabled: false } : definition));
  }
}

/**
 * The flag source as the edge routes by it: emergency stops first (a stopped capability's flag reads
 * as off, so its stage is `monolith` everywhere the edge looks — routing, admin, metrics), then the
 * flags. Without stops it is the source itself; its revision moves when either changes.
 */
export function withEmergencyStops(source: FlagSource, stops: EmergencyStops): FlagSource {
  let wrapped: { inner: FlagClient; client: StoppableFlagClient } | undefined;
  const sourceRevision = source.revision?.bind(source);
  return {
    kind: source.kind,
    client() {
      const inner = source.client();
      if (!inner) return undefined;
      if (wrapped?.inner !== inner) wrapped = { inner, client: new StoppableFlagClient(inner, stops) };
      return wrapped.client;
    },
    // Both only ever grow, so their sum changes whenever either does.
    ...(sourceRevision ? { revision: () => sourceRevision() + stops.revision() } : {}),
    status: (): FlagSourceStatus => {
      const list = stops.list();
      return { ...source.status(), ...(list.length ? { emergencyStops: list } : {}) };
    },
    whenReady: (timeoutMs) => source.whenReady(timeoutMs),
    close: () => source.close(),
  };
}
