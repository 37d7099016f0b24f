import { generalisePointer, isPointer } from './json-pointer';
import { RingBuffer } from './ring-buffer';

export interface SampleDifference {
  field: string;
  monolith: unknown;
  service: unknown;
}

/** One mismatching request, already redacted. */
export interface MismatchSample {
  at: string;
  requestId: string | null;
  method: string;
  url: string;
  requestHeaders: Record<string, string | string[]>;
  monolith: { status: number; headers: Record<string, string | string[]>; latencyMs: number };
  service: { status: number; headers: Record<string, string | string[]>; latencyMs: number };
  differences: SampleDifference[];
}

export const OTHER = 'other';
const MAX_FIELD_LABEL = 120;

/**
 * The field as a metric label: generalised (`/payments/3/id` → `/payments/*\/id`), length-capped, and
 * after `maxFields` distinct values per route folded into `other`, so a body full of surprises cannot
 * explode the series count.
 */
export function fieldLabel(field: string, known: { has(label: string): boolean; readonly size: number }, maxFields: number): string {
  let label = isPointer(field) ? generalisePointer(field) : field;
  if (label.length > MAX_FIELD_LABEL) label = `${label.slice(0, MAX_FIELD_LABEL)}…`;
  if (known.has(label) || known.size < maxFields) return label;
  return OTHER;
}

/** What one route has seen since start: counts, per-field mismatch counts, the latest samples. */
export class RouteReport {
  mirrored = 0;
  compared = 0;
  mismatched = 0;
  inconclusive = 0;
  bodySkipped = 0;
  readonly errors = { secondary: 0, candidate: 0 };
  readonly fields = new Map<string, number>();
  private readonly samples: RingBuffer<MismatchSample>;

  constructor(
    readonly capability: string,
    readonly routeKey: string,
    sampleSize: number,
    private readonly maxFields: number,
  ) {
    this.samples = new RingBuffer(sampleSize);
  }

  /**
   * Counts the mismatching fields of one request, once per label: fifty list items differing in the
   * same field are one finding. Returns each label and whether the route had never seen it before.
   */
  countFields(fields: string[]): Array<{ label: string; first: boolean }> {
    const counted = new Map<string, boolean>();
    for (const field of fields) {
      const label = fieldLabel(field, this.fields, this.maxFields);
      if (counted.has(label)) continue;
      const seen = this.fields.get(label) ?? 0;
      this.fields.set(label, seen + 1);
      counted.set(label, seen === 0);
    }
    return [...counted].map(([label, first]) => ({ label, first }));
  }

  addSample(sample: MismatchSample): void {
    this.samples.push(sample);
  }

  toJSON(noise: string[]) {
    return {
      capability: this.capability,
      routeKey: this.routeKey,
      mirrored: this.mirrored,
      compared: this.compared,
      mismatched: this.mismatched,
      inconclusive: this.inconclusive,
      bodySkipped: this.bodySkipped,
      errors: { ...this.errors },
      fields: Object.fromEntries([...this.fields.entries()].sort(([, a], [, b]) => b - a)),
      noise,
      samples: this.samples.toArray(),
    };
  }
}
