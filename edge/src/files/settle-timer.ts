/**
 * Calls `onSettled` once a burst of `touch()` calls has been quiet for `debounceMs` (an editor's
 * write-rename, a deploy replacing several files): one reload per burst. The timer never keeps the
 * process alive, and nothing fires after `cancel()`.
 */
export function settleTimer(debounceMs: number, onSettled: () => void): { touch(): void; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  return {
    touch() {
      if (cancelled) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        if (!cancelled) onSettled();
      }, debounceMs);
      timer.unref();
    },
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
    },
  };
}
