/**
 * Write fences (docs/decisions/0018-write-authority-switch.md): while a capability's write authority
 * moves between the sides, its unsafe requests are refused (503 WRITE_FENCED, Retry-After) instead of
 * landing on a side that is about to lose, or has not yet received, the latest writes. Reads keep flowing.
 *
 * A fence is held by owners (each `strangler flip` / `rollback` run raises it under its own id), so
 * one operator lowering theirs never opens a fence another still holds; each hold expires on its own,
 * so a CLI that dies mid-switch cannot leave writes refused for ever. The edge also counts the unsafe
 * requests of each capability it has let through and not yet answered: the switch waits for that
 * count to reach zero (drained) before it trusts the changelogs to hold every write.
 */
export interface FenceHold {
  owner: string;
  expiresAt: number;
}

export interface FenceSnapshot {
  capability: string;
  raised: boolean;
  /** When the last hold expires (epoch ms); absent when lowered. */
  expiresAt?: number;
  holds: FenceHold[];
  /** Unsafe requests of this capability let through and not answered yet. */
  inFlightWrites: number;
}

export const MAX_FENCE_MS = 60_000;

export class WriteFences {
  private readonly holds = new Map<string, Map<string, number>>();
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  raise(capability: string, owner: string, ttlMs: number): FenceSnapshot {
    let holds = this.holds.get(capability);
    if (!holds) this.holds.set(capability, (holds = new Map()));
    holds.set(owner, this.now() + Math.min(ttlMs, MAX_FENCE_MS));
    return this.snapshot(capability);
  }

  lower(capability: string, owner: string): FenceSnapshot {
    this.holds.get(capability)?.delete(owner);
    return this.snapshot(capability);
  }

  /** Epoch ms until which the capability's writes are refused, or undefined when they may pass. */
  raisedUntil(capability: string): number | undefined {
    const holds = this.holds.get(capability);
    if (!holds || holds.size === 0) return undefined;
    const now = this.now();
    let until: number | undefined;
    for (const [owner, expiresAt] of holds) {
      if (expiresAt <= now) holds.delete(owner);
      else if (until === undefined || expiresAt > until) until = expiresAt;
    }
    return until;
  }

  /**
   * Lets one unsafe request of these capabilities through, or names the fence that refuses it. The
   * check and the count happen in one synchronous step, so a request is either counted before a fence
   * is raised (and drained) or refused after it: none slips between.
   */
  admit(capabilities: readonly string[]): { ok: true; done: () => void } | { ok: false; capability: string; until: number } {
    for (const capability of capabilities) {
      const until = this.raisedUntil(capability);
      if (until !== undefined) return { ok: false, capability, until };
    }
    for (const capability of capabilities) this.inFlight.set(capability, (this.inFlight.get(capability) ?? 0) + 1);
    let done = false;
    return {
      ok: true,
      done: () => {
        if (done) return;
        done = true;
        for (const capability of capabilities) this.inFlight.set(capability, (this.inFlight.get(capability) ?? 1) - 1);
      },
    };
  }

  snapshot(capability: string): FenceSnapshot {
    const until = this.raisedUntil(capability);
    const holds = [...(this.holds.get(capability) ?? new Map<string, number>())].map(([owner, expiresAt]) => ({ owner, expiresAt }));
    return { capability, raised: until !== undefined, ...(until !== undefined ? { expiresAt: until } : {}), holds, inFlightWrites: this.inFlight.get(capability) ?? 0 };
  }
}
