import type { PersistedDoubt } from './fence-file';

interface Doubt {
  /** Monotonic time until which the upstream may still do these writes. */
  until: number;
  count: number;
}

/** At most this many entries go to the fence file; beyond, each capability's collapse into one (the latest time, the sum). */
const MAX_FILE_ENTRIES = 256;
/** Entries on file are rounded up to the second: a storm of writes given up on is a few entries, not one per write. */
const FILE_ROUNDING_MS = 1_000;

/**
 * Writes the edge stopped waiting for (its timeout, the client gone) that their upstream may still do
 * until their deadline plus the skew margin (decision 0038), per capability, by a monotonic clock.
 */
export class WriteDoubts {
  private readonly byCapability = new Map<string, Doubt[]>();

  constructor(private readonly monotonic: () => number) {}

  add(capability: string, until: number, count = 1): void {
    const doubts = this.byCapability.get(capability);
    if (doubts) doubts.push({ until, count });
    else this.byCapability.set(capability, [{ until, count }]);
  }

  /** How many of the capability's writes are still in doubt, and until when (monotonic); expired ones dropped. */
  of(capability: string): { count: number; until?: number } {
    const doubts = this.byCapability.get(capability);
    if (!doubts) return { count: 0 };
    const now = this.monotonic();
    const left = doubts.filter((doubt) => doubt.until > now);
    if (!left.length) {
      this.byCapability.delete(capability);
      return { count: 0 };
    }
    if (left.length !== doubts.length) this.byCapability.set(capability, left);
    return { count: left.reduce((sum, d) => sum + d.count, 0), until: Math.max(...left.map((d) => d.until)) };
  }

  /**
   * What is still in doubt, for the fence file: epoch times (by `toWall`) rounded up to the second,
   * bounded in size. Rounding and collapsing only lengthen a doubt: never shorter than the truth.
   */
  forFile(toWall: (monotonic: number) => number): PersistedDoubt[] {
    const entries = new Map<string, PersistedDoubt>();
    for (const capability of [...this.byCapability.keys()]) {
      this.of(capability);
      for (const doubt of this.byCapability.get(capability) ?? []) {
        const until = Math.ceil(toWall(doubt.until) / FILE_ROUNDING_MS) * FILE_ROUNDING_MS;
        const key = `${capability} ${until}`;
        const entry = entries.get(key);
        if (entry) entry.count += doubt.count;
        else entries.set(key, { capability, count: doubt.count, until });
      }
    }
    const all = [...entries.values()];
    if (all.length <= MAX_FILE_ENTRIES) return all;
    const collapsed = new Map<string, PersistedDoubt>();
    for (const entry of all) {
      const one = collapsed.get(entry.capability);
      if (!one) collapsed.set(entry.capability, { ...entry });
      else {
        one.count += entry.count;
        one.until = Math.max(one.until, entry.until);
      }
    }
    return [...collapsed.values()];
  }
}
