interface KeyState {
  /** Checks of this key running now. */
  running: number;
  /** Checks of this key that have ended, ever (while the key is watched). */
  ended: number;
  /** Attempts holding this entry (waiting or running); the entry goes when the last one leaves. */
  watchers: number;
  wake: Array<() => void>;
}

/**
 * Admits a check of a key only while fewer checks of it are running on this instance than the key has
 * failures left, so concurrent guesses cannot overtake the limit; the others wait for a running check
 * to end rather than being refused (a burst of right passwords is slowed, never answered 429).
 *
 * `failuresLeft` reads the store; a check records its failure before it counts as ended. If checks
 * ended between the read and the decision, each may be a failure the read missed, so they count too.
 */
export class ChecksInFlight {
  private readonly keys = new Map<string, KeyState>();

  async admit<T>(key: string, failuresLeft: () => Promise<number>, check: () => Promise<T>): Promise<T> {
    const state = this.watch(key);
    try {
      for (;;) {
        const mark = state.ended;
        const left = await failuresLeft();
        if (left <= 0) throw new Error('failuresLeft must throw when no failures are left');
        const endedSince = state.ended - mark;
        if (state.running + endedSince < left) break;
        // running ≥ left > 0 here, so an end will come.
        if (endedSince === 0) await new Promise<void>((resolve) => state.wake.push(resolve));
      }
      state.running += 1;
      try {
        return await check();
      } finally {
        state.running -= 1;
        state.ended += 1;
        for (const wake of state.wake.splice(0)) wake();
      }
    } finally {
      state.watchers -= 1;
      if (state.watchers === 0) this.keys.delete(key);
    }
  }

  private watch(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { running: 0, ended: 0, watchers: 0, wake: [] };
      this.keys.set(key, state);
    }
    state.watchers += 1;
    return state;
  }
}
