import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What a sync worker exposes on /metrics. Labels: capability, direction (and mapping, outcome). */
export interface SyncMetrics {
  rowsApplied: Counter<'capability' | 'direction' | 'mapping' | 'outcome'>;
  changes: Counter<'capability' | 'direction'>;
  errors: Counter<'capability' | 'direction' | 'mapping'>;
  lag: Gauge<'capability' | 'direction'>;
  pending: Gauge<'capability' | 'direction'>;
  applyLag: Histogram<'capability' | 'direction'>;
  batchSeconds: Histogram<'capability' | 'direction'>;
}

export function createSyncMetrics(registry: Registry): SyncMetrics {
  const registers = [registry];
  return {
    rowsApplied: new Counter({
      name: 'data_sync_rows_applied_total',
      help: 'Entities the sync applied to its target, by mapping and outcome (inserted, updated, deleted, unchanged, kept)',
      labelNames: ['capability', 'direction', 'mapping', 'outcome'] as const,
      registers,
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
      help: 'Age of the oldest captured change not yet applied (0 when caught up)',
      labelNames: ['capability', 'direction'] as const,
      registers,
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
