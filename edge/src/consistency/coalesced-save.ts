/**
 * Saves a file at most once per interval for frequent changes, without delaying the first: a change
 * when nothing was saved in the last interval is saved at once (synchronously); further changes within
 * the interval are saved together at its end. A storm of 1,000 changes is a handful of writes, and a
 * lone change is on disk before the call that made it returns.
 */
export class CoalescedSave {
  private cooldown: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(
    private readonly save: () => void,
    private readonly intervalMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Saves now, everything (the caller must not answer before it is on disk); a failure is the caller's. */
  now(): void {
    this.dirty = false;
    this.save();
  }

  /** Saves now if nothing was saved in the last interval, else at its end, with everything changed meanwhile. */
  soon(): void {
    if (this.cooldown) {
      this.dirty = true;
      return;
    }
    this.attempt();
    this.startCooldown();
  }

  /** Saves what is still waiting (a graceful stop), and stops the timer. */
  close(): void {
    if (this.cooldown) clearTimeout(this.cooldown);
    this.cooldown = undefined;
    if (this.dirty) this.attempt();
  }

  private attempt(): void {
    this.dirty = false;
    try {
      this.save();
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private startCooldown(): void {
    this.cooldown = setTimeout(() => {
      this.cooldown = undefined;
      if (!this.dirty) return;
      this.attempt();
      this.startCooldown();
    }, this.intervalMs);
    this.cooldown.unref();
  }
}
