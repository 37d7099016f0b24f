import type { Registry } from 'prom-client';

/**
 * A labelled histogram for the per-request hot path, exported exactly as prom-client's own `Histogram`
 * (same text and JSON, label order, bucket and sum arithmetic; a test compares them), but fed through a
 * handle made once per label combination: recording is a bucket search and three additions, where
 * prom-client's `observe(labels, value)` validates and hashes the label object on every call (it showed
 * in the profile). Registered on a prom-client Registry like any metric.
 */
export class RequestHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly upperBounds: number[];
  private series = new Map<string, Series<L>>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    buckets: number[],
    registers: Registry[],
  ) {
    this.upperBounds = [...buckets].sort((a, b) => a - b);
    for (const registry of registers) registry.registerMetric(this as never);
  }

  /** The handle for one label combination (keep it: making it is the slow part). */
  handle(labels: Record<L, string>): Series<L> {
    const key = this.labelNames.map((name) => labels[name]).join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      series = new Series(labels, this.upperBounds, (reset) => this.series.set(key, reset));
      this.series.set(key, series);
    }
    return series;
  }

  observe(labels: Record<L, string>, value: number): void {
    this.handle(labels).observe(value);
  }

  /** As prom-client's reset: every label combination gone until it is observed again (handles stay valid). */
  reset(): void {
    for (const series of this.series.values()) series.clear();
    this.series = new Map();
  }

  /** What prom-client's Registry formats as text. */
  getForPromString() {
    const values: Array<{ labels: Record<string, string | number>; sharedLabels: Record<string, string>; value: number; metricName: string; exemplar?: null }> = [];
    for (const series of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.upperBounds.length; i += 1) {
        cumulative += series.buckets[i]!;
        values.push({ labels: { le: this.upperBounds[i]! }, sharedLabels: series.labels, value: cumulative, metricName: `${this.name}_bucket`, exemplar: null });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_bucket`, exemplar: null });
      values.push({ labels: {}, sharedLabels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** What prom-client's Registry returns as JSON: labels merged into one object, as Histogram#get does. */
  get() {
    const data = this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })),
    };
  }
}

/** One label combination's counts. */
export class Series<L extends string> {
  readonly buckets: number[];
  sum = 0;
  count = 0;
  private exported = true;

  constructor(
    readonly labels: Record<L, string>,
    private readonly upperBounds: number[],
    private readonly reexport: (series: Series<L>) => void,
  ) {
    this.buckets = upperBounds.map(() => 0);
  }

  clear(): void {
    this.buckets.fill(0);
    this.sum = 0;
    this.count = 0;
    this.exported = false;
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    if (!this.exported) {
      this.exported = true;
      this.reexport(this);
    }
    this.sum += value;
    this.count += 1;
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i += 1) {
      if (value <= bounds[i]!) {
        this.buckets[i]! += 1;
        return;
      }
    }
  }
}
