import type { EventEmitter } from 'node:events';
import { UnleashEvents, type Unleash } from 'unleash-client';

/**
 * Stops an unleash-client (6.12.1) instance for good, working around two traps of `destroy()` while a
 * fetch is in flight (NOTES, "Unleash traps"; both reproduced):
 * - it removes every listener from the client's repository, so when that fetch fails its 'error' is
 *   emitted to nobody and crashes the process: listeners added afterwards absorb it;
 * - the fetch's `finally` re-arms the refresh timer regardless, which keeps the process (or a Jest
 *   worker) alive for a whole refresh interval: stopping the repository again once the fetch has
 *   reported clears it.
 */
export function destroyUnleash(unleash: Unleash, onLateError: (error: unknown) => void = () => undefined): void {
  unleash.destroy();
  unleash.on(UnleashEvents.Error, onLateError);
  const repository = (unleash as unknown as { repository?: EventEmitter & { stop(): void } }).repository;
  if (!repository) return;
  const settle = () => setImmediate(() => repository.stop());
  repository.on(UnleashEvents.Error, (error: unknown) => {
    onLateError(error);
    settle();
  });
  repository.on(UnleashEvents.Warn, settle);
  repository.on(UnleashEvents.Unchanged, settle);
}

/** Resolves once the instance has flags (from a fetch, its backup or a bootstrap); false on timeout. */
export function unleashReady(unleash: Unleash, isReady: () => boolean, timeoutMs: number): Promise<boolean> {
  if (isReady()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      unleash.off(UnleashEvents.Ready, onReady);
      resolve(isReady());
    }, timeoutMs);
    timer.unref();
    function onReady() {
      clearTimeout(timer);
      resolve(true);
    }
    unleash.once(UnleashEvents.Ready, onReady);
  });
}
