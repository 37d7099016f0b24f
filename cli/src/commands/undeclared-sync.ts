import type { SyncWorker } from '../sources/sync-client';

/**
 * Why a capability whose manifest declares no `data` must not be taken as moving no data: a sync
 * worker (SYNC_URLS) carries its data all the same. The manifest lost its `data` section mid-flight,
 * or this shell reads other manifests than the data engine did; either way skipping the sync and
 * verify checks and the changelog backlog would move writes past changes not yet carried. Undefined
 * when no worker carries it.
 */
export function undeclaredSyncProblem(workers: readonly SyncWorker[], capability: string): string | undefined {
  const carried = workers.flatMap((w) => w.directions.filter((d) => d.capability === capability).map((d) => `${w.url} ${d.direction}, ${d.pending} pending`));
  if (carried.length === 0) return undefined;
  return (
    `its manifest declares no data, yet a sync worker carries ${capability}'s data (${carried.join('; ')}): ` +
    'a data section removed while the data moves (or another MANIFESTS_DIR) would skip the sync, verify and backlog checks — restore it'
  );
}
