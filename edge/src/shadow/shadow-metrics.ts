import { Counter, Histogram, type Registry } from 'prom-client';

export interface ShadowMetrics {
  mirrored: Counter<'capability' | 'route'>;
  dropped: Counter<'capability' | 'reason'>;
  mismatches: Counter<'capability' | 'route' | 'field'>;
  /** Transport failures per side (refused, reset, timeout). Error rate = errors / duration _count. */
  errors: Counter<'capability' | 'side'>;
  /** Every attempt per side, failed ones included, so _count is the denominator of the error rate. */
  duration: Histogram<'capability' | 'side'>;
  /** Jobs whose two monolith answers disagreed on the status: nothing can be concluded from them. */
  inconclusive: Counter<'capability' | 'route'>;
}

/** Reuses metrics already on the registry, so two mirrors (or a restart in a test) never clash. */
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function createShadowMetrics(registry: Registry): ShadowMetrics {
  const durationName = 'edge_shadow_upstream_duration_seconds';
  const duration =
    (registry.getSingleMetric(durationName) as Histogram<'capability' | 'side'> | undefined) ??
    new Histogram({
      name: durationName,
      help: 'Latency of shadowed calls per side: primary (the monolith answer the client got), secondary (the monolith again), candidate (the service).',
      labelNames: ['capability', 'side'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  return {
    mirrored: counter(registry, 'edge_shadow_mirrored_total', 'Requests mirrored to the candidate service and the monolith.', ['capability', 'route']),
    dropped: counter(registry, 'edge_shadow_dropped_total', 'Shadow jobs not run: queue_full, busy (edge under load), recent_write (the caller just wrote), unsafe_method, invalid_job or closed.', ['capability', 'reason']),
    mismatches: counter(registry, 'edge_shadow_mismatches_total', 'Fields in which the candidate answered differently from the monolith, minus ignored and learned noise.', ['capability', 'route', 'field']),
    errors: counter(registry, 'edge_shadow_errors_total', 'Mirrored calls that failed (connection error, reset, timeout) per side.', ['capability', 'side']),
    duration,
    inconclusive: counter(registry, 'edge_shadow_inconclusive_total', 'Mirrored requests where the monolith disagreed with itself on the status, or the second monolith call failed.', ['capability', 'route']),
  };
}
