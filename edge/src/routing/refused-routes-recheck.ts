import type { Logger } from '@strangler/kit';
import type { FlagSource } from '../flags';
import type { RoutesProvider } from './routes-source';

/** How often the edge looks whether the flags changed under a refused routes edit. */
export const REFUSED_ROUTES_RECHECK_MS = 1_000;

/**
 * A routes or manifests edit refused for its flag's stage (ungated-changes.ts) becomes acceptable when
 * the flag moves: a capability removed at live is rolled back, one added at live is set back to
 * monolith. The edge then applies the waiting edit by itself, without anyone touching the files:
 * whenever the flags change while an edit is refused, it reads the inputs again.
 */
export function recheckRoutesOnFlagChanges(routes: RoutesProvider, flags: FlagSource, logger: Logger, intervalMs = REFUSED_ROUTES_RECHECK_MS): { stop(): void } {
  if (typeof flags.revision !== 'function') return { stop: () => undefined };
  const revisionOf = flags.revision.bind(flags);
  let seen = revisionOf();
  const timer = setInterval(() => {
    const revision = revisionOf();
    if (revision === seen) return;
    seen = revision;
    if (routes.status()?.lastError === undefined) return;
    routes.recheck().catch((error: unknown) => logger.error({ err: error }, 'rechecking a refused routes edit after a flag change failed'));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
