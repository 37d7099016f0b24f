import type { EventEmitter } from 'node:events';
import { Unleash, UnleashEvents } from 'unleash-client';

/**
 * Stops an unleash-client instance for good. `destroy()` removes every listener from the client's
 * repository, so a fetch still in flight that then fails re-emits 'error' on an emitter nobody listens
 * to, and that crashes the process (NOTES, "Unleash traps"; reproduced with 6.12.1). A no-op listener
 * added after `destroy()` absorbs such late errors.
 */
export function destroyUnleash(unleash: Unleash): void {
  unleash.destroy();
  const repository = (unleash as unknown as { repository?: EventEmitter }).repository;
  repository?.on(UnleashEvents.Error, () => undefined);
  unleash.on(UnleashEvents.Error, () => undefined);
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
