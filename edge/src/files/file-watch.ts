import { watch, watchFile, unwatchFile, type FSWatcher, type Stats } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@strangler/kit';
import { settleTimer } from './settle-timer';

export interface FileWatchOptions {
  filePath: string;
  debounceMs: number;
  /** Stat polling interval: the safety net where directory events do not arrive (network and some bind mounts). */
  pollMs?: number;
  logger: Logger;
  onChange: () => void;
}

/**
 * Calls `onChange` once a burst of changes to a file has settled. It watches the directory rather than
 * the file, because editors and `mv`-style deploys replace the file (a new inode a file watch would
 * miss), and polls the file's stat as a fallback. Neither keeps the process alive.
 */
export function watchFileChanges(options: FileWatchOptions): { close(): void } {
  const absolute = path.resolve(options.filePath);
  const name = path.basename(absolute);
  const settle = settleTimer(options.debounceMs, options.onChange);
  const schedule = () => settle.touch();

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(absolute), { persistent: false }, (_event, changed) => {
      if (changed === null || changed.toString() === name) schedule();
    });
    watcher.on('error', (error) => options.logger.warn({ err: error, file: absolute }, 'directory watch failed; stat polling continues'));
  } catch (error) {
    options.logger.warn({ err: error, file: absolute }, 'cannot watch directory; relying on stat polling');
  }
  const onStat = (current: Stats, previous: Stats) => {
    if (current.mtimeMs !== previous.mtimeMs || current.size !== previous.size || current.ino !== previous.ino) schedule();
  };
  watchFile(absolute, { persistent: false, interval: options.pollMs ?? 1_000 }, onStat);

  return {
    close() {
      settle.cancel();
      watcher?.close();
      unwatchFile(absolute, onStat);
    },
  };
}
