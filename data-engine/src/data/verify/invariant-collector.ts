import type { Knex } from 'knex';
import type { Capability } from '../capabilities/capability';
import type { CanonicalRow } from '../canonical';
import type { AcrossInvariant, Invariant, InvariantReport, InvariantViolation, RowInvariant, SideInvariant } from '../invariants/invariant';
import { sideOf, type EntityMapping } from '../mapping';
import type { KeyTuple, Row, SideName } from '../types';

const SAMPLES = 20;

/** How often a broken row invariant is read again, in one snapshot, before it counts. */
export interface RecheckPolicy {
  rechecks: number;
  recheckDelayMs: number;
}

interface Suspect {
  invariant: RowInvariant;
  side: SideName;
  key: KeyTuple;
  detail: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a capability's invariants as verify reads it, and keeps the count and a few samples of each.
 * A row invariant that fails on the chunk as first read is only a suspect: the entity and its related
 * rows were read at different moments (a refund created in between looks like a refund its payment
 * does not count), and the sync may be between two changes of one source transaction. Suspects are
 * read again together inside one transaction (one snapshot on each database) with the same patience
 * verify gives differing rows; only those still broken count.
 */
export class InvariantCollector {
  private readonly reports = new Map<string, InvariantReport>();
  /** Row invariants broken as first read, by invariant and side: confirmed together by settle(). */
  private readonly suspects = new Map<RowInvariant, Map<SideName, Suspect[]>>();

  constructor(
    private readonly capability: Capability,
    private readonly dbs: Record<SideName, Knex>,
    private readonly policy: RecheckPolicy = { rechecks: 3, recheckDelayMs: 500 },
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
      const found = await this.broken(invariant, side, this.dbs[side], readable);
      if (found.length === 0) continue;
      const bySide = this.suspects.get(invariant) ?? new Map<SideName, Suspect[]>();
      this.suspects.set(invariant, bySide);
      bySide.set(side, [...(bySide.get(side) ?? []), ...found]);
    }
  }

  /**
   * Reads every suspect again, in one snapshot per side and attempt, with verify's patience; only
   * those still broken count. Once for the whole verify, so its cost does not grow with the number of
   * chunks that had a suspect (a table full of real violations still costs a few seconds, not minutes).
   */
  async settle(): Promise<void> {
    for (const [invariant, bySide] of this.suspects) {
      for (const [side, found] of bySide) {
        let suspects = found;
        for (let attempt = 1; attempt <= this.policy.rechecks && suspects.length > 0; attempt++) {
          await sleep(this.policy.recheckDelayMs * attempt);
          suspects = await this.recheck(invariant, side, suspects);
        }
        for (const suspect of suspects) this.add(invariant, { side, key: suspect.key, detail: suspect.detail });
      }
    }
    this.suspects.clear();
  }

  /** The rows of `readable` that break `invariant`, with their related rows read through `db`. */
  private async broken(invariant: RowInvariant, side: SideName, db: Knex, readable: ReadonlyArray<{ key: KeyTuple; canonical: CanonicalRow }>): Promise<Suspect[]> {
    const related = invariant.related ? await this.related(invariant.related, side, db, readable.map((row) => row.key[0] as string)) : new Map<string, CanonicalRow[]>();
    const suspects: Suspect[] = [];
    for (const row of readable) {
      const detail = invariant.check(row.canonical, related.get(row.key[0] as string) ?? []);
      if (detail) suspects.push({ invariant, side, key: row.key, detail });
    }
    return suspects;
  }

  /** The suspects still broken when each entity and its related rows are read in one transaction. */
  private async recheck(invariant: RowInvariant, side: SideName, suspects: readonly Suspect[]): Promise<Suspect[]> {
    const mapping = this.mappingNamed(invariant.mapping);
    return this.dbs[side].transaction(async (trx) => {
      const rows: Array<{ key: KeyTuple; canonical: CanonicalRow }> = [];
      for (const row of await sideOf(mapping, side).readKeys(trx, suspects.map((suspect) => suspect.key))) {
        const canonical = this.readable(mapping, side, row);
        if (canonical) rows.push({ key: sideOf(mapping, side).keyOf(row), canonical });
      }
      return this.broken(invariant, side, trx, rows); // a row deleted meanwhile breaks nothing
    });
  }

  private mappingNamed(name: string): EntityMapping {
    const mapping = this.capability.mappings.find((m) => m.name === name);
    if (!mapping) throw new Error(`an invariant names an unknown mapping ${name}`);
    return mapping;
  }

  private readable(mapping: EntityMapping, side: SideName, row: Row): CanonicalRow | undefined {
    try {
      return mapping.canonical(side, row);
    } catch {
      return undefined; // an unreadable row is verify's own finding, in its mapping
    }
  }

  private async related(link: { mapping: string; column: string }, side: SideName, db: Knex, keys: readonly string[]): Promise<Map<string, CanonicalRow[]>> {
    const mapping = this.mappingNamed(link.mapping);
    const grouped = new Map<string, CanonicalRow[]>();
    for (const row of await sideOf(mapping, side).readWhereIn(db, link.column, keys)) {
      const canonical = this.readable(mapping, side, row);
      if (!canonical) continue;
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
