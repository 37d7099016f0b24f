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
 *
 * A write the edge stopped waiting for (its deadline passed, the client hung up) is not over: the
 * upstream may still hold it in its socket or mid-transaction. It stays counted, "in doubt", until the
 * deadline the edge sent with it (x-strangler-write-deadline, which the sides enforce: kit's
 * write-deadline.ts) plus a clock-skew margin has passed (docs/decisions/0038-write-deadlines.md).
 * A write whose body had not fully arrived when a fence rises is aborted instead: nothing can act on
 * half a body, and one slow client must not hold a switch up.
 *
 * Holds and doubts are timed by a monotonic clock: a wall clock stepped by NTP or a resumed VM moves
 * neither (snapshots still report epoch times, for people).
 *
 * With a fence file (EDGE_FENCE_FILE) both survive a restart, a crash included: holds are on disk before
 * a raise or lower is answered (decision 0039); a write given up on is on disk before the call that
 * gave up on it returns, unless another was saved less than DOUBT_SAVE_INTERVAL_MS ago, in which case
 * it follows within that interval (a storm of timeouts is a few writes of the file, not one each).
 *
 * Writes still awaiting their answer when the edge crashes are not on file one by one: the file says
 * a process is running, and for which capabilities it has let writes through (saved before the first
 * one of each is sent). A start that finds the previous process did not stop cleanly counts each of
 * those capabilities in doubt for one longest write deadline plus the margin, from the start (decision
 * 0038, amendment 2). A graceful stop (`close`) records the clean stop.
 */
/** The flag an edge must route a capability by before a hold lifts (whatever its TTL). */
export interface FenceRelease {
  stage: string;
  percentage: number;
}

interface Hold {
  /** Monotonic expiry. */
  expiresAt: number;
  until?: FenceRelease;
}

export interface FenceHold {
  owner: string;
  /** Held past its expiry until this edge routes the capability by this flag. */
  until?: FenceRelease;
  /** Epoch ms (as the edge's wall clock reads now). */
  expiresAt: number;
}

export interface FenceSnapshot {
  capability: string;
  raised: boolean;
  /** When the last hold expires (epoch ms); absent when lowered. */
  expiresAt?: number;
  holds: FenceHold[];
  /** Unsafe requests of this capability let through and not over yet: awaiting their answer, or in doubt. */
  inFlightWrites: number;
  /** Of those, writes the edge stopped waiting for that the upstream may still do until their deadline. */
  inDoubtWrites: number;
  /** When the last in-doubt write can no longer be done (epoch ms); absent when none. */
  inDoubtUntil?: number;
  /** Which edge process answered (changes on restart: a hold seen before is gone). */
  bootId: string;
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

/** How an admitted write ended: answered (or never able to act), or in doubt until an epoch-ms deadline. */
export type WriteEnd = { answered: true } | { answered: false; deadline: number };

/** An admitted write, for `raise` to abort while its body is still arriving. */
export interface AdmittedWrite {
  /** Whether the whole body has arrived (an upstream can act on it). */
  bodyComplete(): boolean;
  /** Stops the write (client and upstream connections); it then ends as answered: nothing was done. */
  abort(): void;
}

interface Admission {
  capabilities: readonly string[];
  write: AdmittedWrite;
  /** Put in doubt by a graceful stop while still awaiting its answer: its end adds nothing. */
  inDoubtSinceClose?: boolean;
}

import { FenceFileError, type FenceFile, type PersistedDoubt, type RunningRecord } from './fence-file';
import { CoalescedSave } from './coalesced-save';
import { WriteDoubts } from './write-doubts';

/** At most one save of the fence file per this interval for writes given up on (the first at once). */
export const DOUBT_SAVE_INTERVAL_MS = 50;
/**
 * Longest a write restored in doubt is held after a restart: the file's epoch times are read by a new
 * process's wall clock, which may have been stepped back meanwhile (a deadline is seconds, not minutes).
 */
export const MAX_RESTORED_DOUBT_MS = 300_000;

/** What the fences say about their file (a restart's restored state, a save that failed). */
export interface FenceLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface FenceClocks {
  /** Epoch ms: what snapshots report and deadlines are written in. */
  wall: () => number;
  /** Monotonic ms: what holds and doubts are timed by. */
  monotonic: () => number;
  /** Clock skew allowed between the edge and the sides past a write's deadline. */
  skewMarginMs: number;
  /**
   * The longest deadline a write this edge forwards can carry, from when it is sent (the proxy caps
   * every write's deadline at UPSTREAM_TOTAL_TIMEOUT_MS): after an unclean stop, how long the writes it
   * had in flight may still be done (plus the margin).
   */
  maxWriteDeadlineMs: number;
  bootId: string;
  /** How this edge routes a capability now (what `until` holds wait for). */
  routedAs?: (capability: string) => FenceRelease | undefined;
  /** Holds and writes in doubt kept across restarts (EDGE_FENCE_FILE); none: in memory only. */
  file?: FenceFile;
  log?: FenceLog;
}

export class WriteFences {
  /** Per capability: owner → its hold. */
  private readonly holds = new Map<string, Map<string, Hold>>();
  private readonly inFlight = new Map<string, number>();
  private readonly doubts: WriteDoubts;
  private readonly saver: CoalescedSave | undefined;
  /** Saves the file again once the first doubt on it expires (so it drops it). */
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly admitted = new Set<Admission>();
  /** This process on the file (absent without one, and once stopped gracefully). */
  private running: RunningRecord | undefined;
  /** Bumped by every raise: a request that arrived before it chose its side by a flag that may since have moved. */
  private readonly epochs = new Map<string, number>();

  constructor(private readonly clocks: FenceClocks) {
    this.doubts = new WriteDoubts(clocks.monotonic);
    const { file } = clocks;
    if (!file) return;
    const { holds, doubts, running } = file.load();
    // Holds a previous process of this edge left: restored for what is left of them (at most MAX_FENCE_MS).
    for (const hold of holds) {
      const left = Math.min(hold.expiresAt - clocks.wall(), MAX_FENCE_MS);
      if (left <= 0 && !hold.until) continue;
      let owners = this.holds.get(hold.capability);
      if (!owners) this.holds.set(hold.capability, (owners = new Map()));
      owners.set(hold.owner, { expiresAt: clocks.monotonic() + left, ...(hold.until ? { until: hold.until } : {}) });
    }
    // Writes it had given up on that an upstream may still do: a switch started now must wait for them too.
    const restored: PersistedDoubt[] = [];
    for (const doubt of doubts) {
      const left = Math.min(doubt.until - clocks.wall(), MAX_RESTORED_DOUBT_MS);
      if (left <= 0) continue;
      this.doubts.add(doubt.capability, clocks.monotonic() + left, doubt.count);
      restored.push(doubt);
    }
    if (restored.length) clocks.log?.info({ file: file.file, inDoubt: restored }, 'restored writes a previous process of this edge gave up on: in doubt (a switch waits for them) until their deadline');
    const inDoubtMs = clocks.maxWriteDeadlineMs + clocks.skewMarginMs;
    if (running) this.afterUncleanStop(running, Math.max(running.inDoubtMs, inDoubtMs), file.file);
    this.saver = new CoalescedSave(() => this.persist(file), DOUBT_SAVE_INTERVAL_MS, (error) =>
      clocks.log?.error({ err: error, file: file.file }, 'could not save the writes in doubt to the fence file: a crash of this edge now would forget them'),
    );
    // On file before the first request: a crash from now on is seen by the next start.
    this.running = { bootId: clocks.bootId, since: clocks.wall(), inDoubtMs, wrote: [] };
    try {
      this.persist(file);
    } catch (error) {
      throw new FenceFileError(file.file, (error as Error).message);
    }
  }

  /**
   * The previous process did not stop cleanly: the writes it had let through and not yet seen answered
   * are not on file one by one, and an upstream may still do them until their deadline. Each capability
   * it let writes through for is in doubt for one longest deadline plus the margin, counted from now:
   * the crash was before (conservative). One write each: how many is unknown.
   */
  private afterUncleanStop(previous: RunningRecord, inDoubtMs: number, file: string): void {
    const until = this.clocks.monotonic() + inDoubtMs;
    for (const capability of previous.wrote) this.doubts.add(capability, until);
    const details = { file, previousBootId: previous.bootId, previousSince: new Date(previous.since).toISOString(), capabilities: previous.wrote };
    if (!previous.wrote.length) {
      this.clocks.log?.info(details, 'the previous process of this edge did not stop cleanly; it had let no writes through: none in doubt');
      return;
    }
    const at = new Date(this.toWall(until)).toISOString();
    this.clocks.log?.warn({ ...details, inDoubtUntil: at }, `the previous process of this edge did not stop cleanly: the writes it may have had in flight are in doubt (a switch waits for them) until ${at}`);
  }

  /** Holds and doubts, whole, to the file; then a timer to save again when the first doubt on it expires. */
  private persist(file: FenceFile): void {
    const now = this.clocks.monotonic();
    const holds = [...this.holds].flatMap(([capability, owners]) =>
      [...owners]
        .filter(([, hold]) => hold.expiresAt > now || hold.until)
        .map(([owner, hold]) => ({ capability, owner, expiresAt: this.toWall(hold.expiresAt), ...(hold.until ? { until: hold.until } : {}) })),
    );
    const doubts = this.doubts.forFile((at) => this.toWall(at));
    const { running } = this;
    file.save({ holds, doubts, ...(running ? { running } : {}) });
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (!doubts.length) return;
    const first = Math.min(...doubts.map((d) => d.until));
    this.expiryTimer = setTimeout(() => this.saver?.soon(), Math.max(0, first - this.clocks.wall()) + 1);
    this.expiryTimer.unref();
  }

  /**
   * A graceful stop of the edge (its server drained): records the clean stop, with what is still in
   * doubt, and stops the timers. A write still awaiting its answer now (the drain's bound ran out) is
   * put in doubt for one longest deadline plus the margin: its own deadline is not known here.
   */
  close(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const { running } = this;
    if (!running) return;
    const until = this.clocks.monotonic() + running.inDoubtMs;
    for (const admission of this.admitted) {
      admission.inDoubtSinceClose = true;
      for (const capability of admission.capabilities) this.doubts.add(capability, until);
    }
    this.running = undefined;
    this.saver?.close();
    try {
      this.saver?.now();
    } catch (error) {
      this.clocks.log?.error({ err: error, file: this.clocks.file?.file }, 'could not record the clean stop in the fence file: the next start counts this edge\'s writes in doubt for one deadline');
    }
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  /** A monotonic time as an epoch time, by the wall clock now. */
  private toWall(monotonicAt: number): number {
    return this.clocks.wall() + (monotonicAt - this.clocks.monotonic());
  }

  /**
   * Raises (or renews) `owner`'s hold. With `until`, the hold does not lift by time while this edge
   * routes the capability otherwise: an edge that has not applied the written flag would send writes
   * to the old writer (red team break 6). It lifts once the edge routes by it, or when lowered.
   */
  raise(capability: string, owner: string, ttlMs: number, until?: FenceRelease): FenceSnapshot {
    let holds = this.holds.get(capability);
    if (!holds) this.holds.set(capability, (holds = new Map()));
    holds.set(owner, { expiresAt: this.clocks.monotonic() + Math.min(ttlMs, MAX_FENCE_MS), ...(until ? { until } : {}) });
    this.epochs.set(capability, (this.epochs.get(capability) ?? 0) + 1);
    this.saver?.now();
    // A write whose body is still arriving cannot have been acted on: stopped, it drains at once.
    for (const admission of [...this.admitted]) {
      if (admission.capabilities.includes(capability) && !admission.write.bodyComplete()) admission.write.abort();
    }
    return this.snapshot(capability);
  }

  lower(capability: string, owner: string): FenceSnapshot {
    if (this.holds.get(capability)?.delete(owner)) this.saver?.now();
    return this.snapshot(capability);
  }

  /** Monotonic ms until which the capability's writes are refused, or undefined when they may pass. */
  private raisedUntilMonotonic(capability: string): number | undefined {
    const holds = this.holds.get(capability);
    if (!holds || holds.size === 0) return undefined;
    const now = this.clocks.monotonic();
    let until: number | undefined;
    let routed: FenceRelease | undefined | null = null;
    for (const [owner, hold] of holds) {
      let expiresAt = hold.expiresAt;
      if (hold.until) {
        if (routed === null) routed = this.clocks.routedAs?.(capability);
        const applied = routed !== undefined && routed.stage === hold.until.stage && routed.percentage === hold.until.percentage;
        if (applied) {
          holds.delete(owner);
          continue;
        }
        // Not applied yet: held on, a moment at a time (Retry-After stays short).
        if (expiresAt <= now) expiresAt = now + 1_000;
      }
      if (expiresAt <= now) holds.delete(owner);
      else if (until === undefined || expiresAt > until) until = expiresAt;
    }
    return until;
  }

  /** Epoch ms until which the capability's writes are refused, or undefined when they may pass. */
  raisedUntil(capability: string): number | undefined {
    const until = this.raisedUntilMonotonic(capability);
    return until === undefined ? undefined : this.toWall(until);
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
   * write is either counted before a fence goes up or refused after. `done` ends the count: at once
   * when the upstream answered, else once the write's deadline (plus the skew margin) has passed.
   */
  admit(ticket: FenceTicket, write: AdmittedWrite): { ok: true; done: (end: WriteEnd) => void } | Fenced {
    const { capabilities } = ticket;
    for (let i = 0; i < capabilities.length; i += 1) {
      const capability = capabilities[i]!;
      const until = this.raisedUntil(capability);
      if (until !== undefined) return { ok: false, capability, until };
      if ((this.epochs.get(capability) ?? 0) !== ticket.epochs[i]) return { ok: false, capability, until: this.clocks.wall() };
    }
    const unrecorded = this.recordWriters(capabilities);
    if (unrecorded) return { ok: false, capability: unrecorded, until: this.clocks.wall() + 1_000 };
    for (const capability of capabilities) this.inFlight.set(capability, (this.inFlight.get(capability) ?? 0) + 1);
    const admission: Admission = { capabilities, write };
    this.admitted.add(admission);
    let done = false;
    return {
      ok: true,
      done: (end) => {
        if (done) return;
        done = true;
        this.admitted.delete(admission);
        for (const capability of capabilities) this.inFlight.set(capability, (this.inFlight.get(capability) ?? 1) - 1);
        if (end.answered || admission.inDoubtSinceClose) return;
        const until = this.clocks.monotonic() + (end.deadline - this.clocks.wall()) + this.clocks.skewMarginMs;
        for (const capability of capabilities) this.doubts.add(capability, until);
        this.saver?.soon();
      },
    };
  }

  /**
   * Before a capability's first write of this process is sent: on file that this process lets its writes
   * through (what a start after a crash puts in doubt). Once per capability per process. A save that
   * fails refuses the write (retryable), naming the capability: sent, a crash would forget it.
   */
  private recordWriters(capabilities: readonly string[]): string | undefined {
    const { running } = this;
    if (!running || !this.saver) return undefined;
    const fresh = capabilities.filter((capability) => !running.wrote.includes(capability));
    if (!fresh.length) return undefined;
    running.wrote.push(...fresh);
    try {
      this.saver.now();
      return undefined;
    } catch (error) {
      running.wrote.splice(running.wrote.length - fresh.length, fresh.length);
      this.clocks.log?.error({ err: error, file: this.clocks.file?.file, capabilities: fresh }, 'could not record in the fence file that this edge lets these capabilities\' writes through: refusing them (retryable) until it can');
      return fresh[0];
    }
  }

  snapshot(capability: string): FenceSnapshot {
    const until = this.raisedUntil(capability);
    const holds = [...(this.holds.get(capability) ?? new Map<string, Hold>())].map(([owner, hold]) => ({ owner, expiresAt: this.toWall(hold.expiresAt), ...(hold.until ? { until: hold.until } : {}) }));
    const doubts = this.doubts.of(capability);
    return {
      capability,
      raised: until !== undefined,
      ...(until !== undefined ? { expiresAt: until } : {}),
      holds,
      inFlightWrites: (this.inFlight.get(capability) ?? 0) + doubts.count,
      inDoubtWrites: doubts.count,
      ...(doubts.until !== undefined ? { inDoubtUntil: this.toWall(doubts.until) } : {}),
      bootId: this.clocks.bootId,
    };
  }
}
