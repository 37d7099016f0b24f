import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What a sync worker exposes on /metrics. Labels: capability, direction (and mapping, outcome). */
export interface SyncMetrics {
  rowsApplied: Counter<'capability' | 'direction' | 'mapping' | 'outcome'>;
  changes: Counter<'capability' | 'direction'>;
  errors: Counter<'capability' | 'direction' | 'mapping'>;
  conflicts: Counter<'capability' | 'direction' | 'mapping' | 'resolution'>;
  quarantined: Gauge<'capability' | 'direction' | 'kind'>;
  lag: Gauge<'capability' | 'direction'>;
  pending: Gauge<'capability' | 'direction'>;
  applyLag: Histogram<'capability' | 'direction'>;
  batchSeconds: Histogram<'capability' | 'direction'>;
  /**
   * Workers re-read their backlog when the metrics are collected, so the lag grows while a worker is
   * paused, backing off or stuck, instead of showing the value of its last poll.
   */
  onCollect(refresh: () => Promise<void>): () => void;
}

/** A refresh that takes longer than this keeps the previous value (a scrape must not hang). */
const REFRESH_TIMEOUT_MS = 1_000;

async function refreshAll(refreshers: ReadonlySet<() => Promise<void>>): Promise<void> {
  await Promise.all(
    [...refreshers].map(async (refresh) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, REFRESH_TIMEOUT_MS);
        timer.unref();
      });
      // A database away: the gauges keep their last values, the poll loop reports the error.
      await Promise.race([refresh().catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
    }),
  );
}

export function createSyncMetrics(registry: Registry): SyncMetrics {
  const registers = [registry];
  const refreshers = new Set<() => Promise<void>>();
  // Several gauges ask for a refresh in one scrape: the first does it, the others reuse it.
  let refreshed: { at: number; done: Promise<void> } | undefined;
  const refresh = (): Promise<void> => {
    if (!refreshed || Date.now() - refreshed.at > 250) refreshed = { at: Date.now(), done: refreshAll(refreshers) };
    return refreshed.done;
  };
  return {
    onCollect: (refresh) => {
      refreshers.add(refresh);
      return () => refreshers.delete(refresh);
    },
    rowsApplied: new Counter({
      name: 'data_sync_rows_applied_total',
      help: 'Entities the sync handled, by mapping and outcome (inserted, updated, deleted, unchanged, kept, moved, tombstoned, quarantined, pulledIn)',
      labelNames: ['capability', 'direction', 'mapping', 'outcome'] as const,
      registers,
    }),
    conflicts: new Counter({
      name: 'data_sync_conflicts_total',
      help: 'Entities changed on both sides since they last agreed, by how they ended (settled-by-rule, quarantined)',
      labelNames: ['capability', 'direction', 'mapping', 'resolution'] as const,
      registers,
    }),
    quarantined: new Gauge({
      name: 'data_sync_quarantined_rows',
      help: 'Entities set aside in the quarantine and still open, by kind (read from the quarantine when collected)',
      labelNames: ['capability', 'direction', 'kind'] as const,
      registers,
      collect: refresh,
    }),
    changes: new Counter({ name: 'data_sync_changes_total', help: 'Captured changes consumed', labelNames: ['capability', 'direction'] as const, registers }),
    errors: new Counter({
      name: 'data_sync_errors_total',
      help: 'Failed applies (the change stays captured and is retried with backoff)',
      labelNames: ['capability', 'direction', 'mapping'] as const,
      registers,
    }),
    lag: new Gauge({
      name: 'data_sync_lag_seconds',
      help: 'Age of the oldest captured change not yet applied (0 when caught up), read from the backlog when collected',
      labelNames: ['capability', 'direction'] as const,
      registers,
      collect: refresh,
    }),
    pending: new Gauge({ name: 'data_sync_pending_changes', help: 'Captured changes waiting', labelNames: ['capability', 'direction'] as const, registers }),
    applyLag: new Histogram({
      name: 'data_sync_apply_lag_seconds',
      help: 'From capture on the source to commit on the target, per change',
      labelNames: ['capability', 'direction'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'data_sync_batch_seconds',
      help: 'Time to apply one batch',
      labelNames: ['capability', 'direction'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}
