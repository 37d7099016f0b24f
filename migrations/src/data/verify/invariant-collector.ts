import type { Knex } from 'knex';
import type { Capability } from '../capabilities/capability';
import type { CanonicalRow } from '../canonical';
import type { AcrossInvariant, Invariant, InvariantReport, InvariantViolation, RowInvariant, SideInvariant } from '../invariants/invariant';
import { sideOf } from '../mapping';
import type { KeyTuple, SideName } from '../types';

const SAMPLES = 20;

/** Runs a capability's invariants as verify reads it, and keeps the count and a few samples of each. */
export class InvariantCollector {
  private readonly reports = new Map<string, InvariantReport>();

  constructor(
    private readonly capability: Capability,
    private readonly dbs: Record<SideName, Knex>,
  ) {
    for (const invariant of capability.invariants) this.reports.set(invariant.name, { name: invariant.name, rule: invariant.rule, violations: 0, samples: [] });
  }

  private add(invariant: Invariant, violation: InvariantViolation): void {
    const report = this.reports.get(invariant.name) as InvariantReport;
    report.violations += 1;
    if (report.samples.length < SAMPLES) report.samples.push(violation);
  }

  private of<K extends Invariant['kind']>(kind: K, mapping?: string): Array<Extract<Invariant, { kind: K }>> {
    return this.capability.invariants.filter(
      (invariant): invariant is Extract<Invariant, { kind: K }> => invariant.kind === kind && (mapping === undefined || (invariant as RowInvariant | AcrossInvariant).mapping === mapping),
    );
  }

  /** Row invariants of `mapping` on one side's chunk (canonical rows by key text). */
  async checkRows(mapping: string, side: SideName, rows: ReadonlyArray<{ key: KeyTuple; canonical?: CanonicalRow }>): Promise<void> {
    const readable = rows.filter((row): row is { key: KeyTuple; canonical: CanonicalRow } => row.canonical !== undefined);
    if (readable.length === 0) return;
    for (const invariant of this.of('row', mapping)) {
      const related = invariant.related ? await this.related(invariant.related, side, readable.map((row) => row.key[0] as string)) : new Map<string, CanonicalRow[]>();
      for (const row of readable) {
        const detail = invariant.check(row.canonical, related.get(row.key[0] as string) ?? []);
        if (detail) this.add(invariant, { side, key: row.key, detail });
      }
    }
  }

  private async related(link: { mapping: string; column: string }, side: SideName, keys: readonly string[]): Promise<Map<string, CanonicalRow[]>> {
    const mapping = this.capability.mappings.find((m) => m.name === link.mapping);
    if (!mapping) throw new Error(`an invariant names an unknown mapping ${link.mapping}`);
    const grouped = new Map<string, CanonicalRow[]>();
    for (const row of await sideOf(mapping, side).readWhereIn(this.dbs[side], link.column, keys)) {
      let canonical: CanonicalRow;
      try {
        canonical = mapping.canonical(side, row);
      } catch {
        continue; // an unreadable related row is verify's own finding, in its mapping
      }
      const owner = String(canonical[link.column]);
      grouped.set(owner, [...(grouped.get(owner) ?? []), canonical]);
    }
    return grouped;
  }

  /** Cross-side invariants of `mapping`, on the rows verify found different. */
  async checkDifferences(mapping: string, differences: ReadonlyArray<{ key: KeyTuple; kind: string; fields?: Record<string, { monolith: unknown; service: unknown }> }>): Promise<void> {
    for (const invariant of this.of('across', mapping)) {
      for (const difference of differences) {
        const detail = await invariant.check(difference, this.dbs);
        if (detail) this.add(invariant, { side: 'both', key: difference.key, detail });
      }
    }
  }

  async checkSides(): Promise<void> {
    for (const invariant of this.of('side') as SideInvariant[]) {
      for (const side of ['monolith', 'service'] as const) {
        for (const violation of await invariant.check(this.dbs[side], side)) this.add(invariant, { side, ...violation });
      }
    }
  }

  results(): InvariantReport[] {
    return [...this.reports.values()];
  }
}
