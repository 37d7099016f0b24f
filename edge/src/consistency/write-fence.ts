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

/** Refused: the capability whose fence stands (or stood) in the way, and until when to retry. */
export interface Fenced {
  ok: false;
  capability: string;
  until: number;
}

/** What a request saw of the fences when it arrived (and chose its side by the flag). */
export interface FenceTicket {
  ok: true;
  capabilities: readonly string[];
  epochs: readonly number[];
}

export class WriteFences {
  private readonly holds = new Map<string, Map<string, number>>();
  private readonly inFlight = new Map<string, number>();
  /** Bumped by every raise: a request that arrived before it chose its side by a flag that may since have moved. */
  private readonly epochs = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  raise(capability: string, owner: string, ttlMs: number): FenceSnapshot {
    let holds = this.holds.get(capability);
    if (!holds) this.holds.set(capability, (holds = new Map()));
    holds.set(owner, this.now() + Math.min(ttlMs, MAX_FENCE_MS));
    this.epochs.set(capability, (this.epochs.get(capability) ?? 0) + 1);
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

  /** On arrival: refused while a fence stands; else what the request must still find when it is sent. */
  ticket(capabilities: readonly string[]): FenceTicket | Fenced {
    for (const capability of capabilities) {
      const until = this.raisedUntil(capability);
      if (until !== undefined) return { ok: false, capability, until };
    }
    return { ok: true, capabilities, epochs: capabilities.map((c) => this.epochs.get(c) ?? 0) };
  }

  /**
   * Right before the request is sent upstream: counted as in flight (what a switch drains) if no fence
   * stands and none was raised since it arrived; else refused, as the flag it was routed by may have
   * moved meanwhile (a slow body, a slow user lookup). Check and count are one synchronous step, so a
   * write is either counted before a fence goes up or refused after; and one still arriving (its body
   * trickling) holds no drain.
   */
  admit(ticket: FenceTicket): { ok: true; done: () => void } | Fenced {
    const { capabilities } = ticket;
    for (let i = 0; i < capabilities.length; i += 1) {
      const capability = capabilities[i]!;
      const until = this.raisedUntil(capability);
      if (until !== undefined) return { ok: false, capability, until };
      if ((this.epochs.get(capability) ?? 0) !== ticket.epochs[i]) return { ok: false, capability, until: this.now() };
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
