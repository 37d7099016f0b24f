import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@strangler/kit';
import { settleTimer } from './settle-timer';

export interface DirectoryWatchOptions {
  dir: string;
  /** The entries that matter (e.g. `*.json`): a change to another is ignored. */
  matches: (name: string) => boolean;
  debounceMs: number;
  /** Listing polling interval: the safety net where directory events do not arrive (network and some bind mounts). */
  pollMs?: number;
  logger: Logger;
  onChange: () => void;
}

/** Names, sizes, times and inodes of the matching entries: changes when one is added, removed, replaced or edited. */
function signature(dir: string, matches: (name: string) => boolean): string {
  try {
    return readdirSync(dir)
      .filter(matches)
      .sort()
      .map((name) => {
        try {
          const stat = statSync(path.join(dir, name));
          return `${name}:${stat.size}:${stat.mtimeMs}:${stat.ino}`;
        } catch {
          return `${name}:gone`;
        }
      })
      .join('|');
  } catch (error) {
    return `unreadable:${(error as Error).message}`;
  }
}

/**
 * Calls `onChange` once a burst of changes to a directory's matching files (one added, edited,
 * replaced or removed) has settled: directory events, and polling of the listing as a fallback.
 * Neither keeps the process alive.
 */
export function watchDirectoryChanges(options: DirectoryWatchOptions): { close(): void } {
  const dir = path.resolve(options.dir);
  const settle = settleTimer(options.debounceMs, options.onChange);
  const schedule = () => settle.touch();

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, (_event, changed) => {
      if (changed === null || options.matches(changed.toString())) schedule();
    });
    watcher.on('error', (error) => options.logger.warn({ err: error, dir }, 'directory watch failed; polling continues'));
  } catch (error) {
    options.logger.warn({ err: error, dir }, 'cannot watch directory; relying on polling');
  }
  let last = signature(dir, options.matches);
  const poll = setInterval(() => {
    const now = signature(dir, options.matches);
    if (now !== last) {
      last = now;
      schedule();
    }
  }, options.pollMs ?? 1_000);
  poll.unref();

  return {
    close() {
      settle.cancel();
      clearInterval(poll);
      watcher?.close();
    },
  };
}
