import { CircuitBreaker, type BreakerSettings, type BreakerSnapshot, type BreakerState } from './circuit-breaker';

/** One breaker per service upstream, keyed by its base URL so a routes reload keeps its state. */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number,
    private readonly onTransition?: (upstream: string, to: BreakerState) => void,
  ) {}

  for(capability: string, baseUrl: string): CircuitBreaker {
    const key = `${capability} ${baseUrl}`;
    let breaker = this.breakers.get(key);
    if (!breaker) {
      breaker = new CircuitBreaker(capability, this.settings, this.now, (name, to) => this.onTransition?.(name, to));
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  snapshots(): Array<BreakerSnapshot & { url: string }> {
    return [...this.breakers.entries()].map(([key, breaker]) => ({ ...breaker.snapshot(), url: key.slice(key.indexOf(' ') + 1) }));
  }
}
