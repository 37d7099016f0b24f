import { CircuitBreaker, type BreakerSettings, type BreakerSnapshot, type BreakerState } from './circuit-breaker';

/** One breaker per service upstream, keyed by its base URL so a routes reload keeps its state. */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** The same breakers by capability, then URL: found per request without building the key. */
  private readonly byCapability = new Map<string, Map<string, CircuitBreaker>>();

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number,
    private readonly onTransition?: (upstream: string, to: BreakerState) => void,
  ) {}

  for(capability: string, baseUrl: string): CircuitBreaker {
    const known = this.byCapability.get(capability)?.get(baseUrl);
    if (known) return known;
    const key = `${capability} ${baseUrl}`;
    let breaker = this.breakers.get(key);
    if (!breaker) {
      breaker = new CircuitBreaker(capability, this.settings, this.now, (name, to) => this.onTransition?.(name, to));
      this.breakers.set(key, breaker);
    }
    let urls = this.byCapability.get(capability);
    if (!urls) this.byCapability.set(capability, (urls = new Map()));
    urls.set(baseUrl, breaker);
    return breaker;
  }

  snapshots(): Array<BreakerSnapshot & { url: string }> {
    return [...this.breakers.entries()].map(([key, breaker]) => ({ ...breaker.snapshot(), url: key.slice(key.indexOf(' ') + 1) }));
  }
}
