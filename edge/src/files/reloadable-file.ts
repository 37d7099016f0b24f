import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@strangler/kit';
import { watchFileChanges } from './file-watch';

export type LoadResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export type ReloadOutcome = 'applied' | 'invalid' | 'unchanged';

export interface ReloadableFileOptions<T> {
  filePath: string;
  debounceMs: number;
  logger: Logger;
  /** Validates the text and builds the value; may be slow (it runs off the request path). */
  load(text: string): Promise<LoadResult<T>>;
  /** Releases what a value holds: called for a replaced value, for the current one at close, and for one built too late. */
  dispose?(value: T): void;
  onReload?(outcome: ReloadOutcome, errors?: string[]): void;
  /** Reads the text to load (default: the file). A set of files reads them as one text (routes + manifests). */
  read?(): Promise<string>;
  /** Watches what `read` reads (default: the file); calls `onChange` once a burst of changes settles. */
  watch?(onChange: () => void): { close(): void };
  /**
   * Where every version that loads is copied: a start while the file is invalid (a restart during a
   * bad hand edit) runs on this last good version instead of not starting at all.
   */
  backupPath?: string;
}

export interface ReloadStatus {
  file: string;
  loadedAt: string | undefined;
  lastError: { at: string; errors: string[] } | undefined;
  /** The value in use came from the backup: the file itself has not loaded since this process started. */
  fromBackup?: string;
}

export class FileLoadError extends Error {
  constructor(
    readonly file: string,
    readonly errors: string[],
  ) {
    super(`${file} is invalid:\n  - ${errors.join('\n  - ')}`);
    this.name = 'FileLoadError';
  }
}

/**
 * A value built from a file and rebuilt when the file changes. An edit that does not validate keeps
 * the last good value (and is reported); readers always see a complete value, swapped in one step,
 * so requests in flight keep the one they started with.
 */
export class ReloadableFile<T> {
  private value: T | undefined;
  private digest: string | undefined;
  private loadedAt: Date | undefined;
  private lastError: ReloadStatus['lastError'];
  private watcher: { close(): void } | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private fromBackup: string | undefined;

  constructor(private readonly options: ReloadableFileOptions<T>) {}

  /**
   * Loads the file once, then watches it. A bad file falls back to the last good version kept at
   * `backupPath`, loudly; with no usable backup it throws FileLoadError (there is no last good value).
   */
  async start(): Promise<T> {
    const attempt = await this.attempt();
    const first = attempt.ok ? attempt : await this.startFromBackup(attempt.errors);
    const onChange = () => void this.reload();
    this.watcher = this.options.watch
      ? this.options.watch(onChange)
      : watchFileChanges({ filePath: this.options.filePath, debounceMs: this.options.debounceMs, logger: this.options.logger, onChange });
    return first.value;
  }

  private async startFromBackup(errors: string[]): Promise<{ ok: true; value: T }> {
    const file = path.resolve(this.options.filePath);
    const backup = this.options.backupPath;
    if (!backup) throw new FileLoadError(file, errors);
    let text: string;
    try {
      text = await readFile(backup, 'utf8');
    } catch {
      throw new FileLoadError(file, [...errors, `no last good version at ${backup} to start on`]);
    }
    const loaded = await this.options.load(text).catch((error: unknown): LoadResult<T> => ({ ok: false, errors: [(error as Error).message] }));
    if (!loaded.ok) throw new FileLoadError(file, [...errors, `the last good version at ${backup} does not load either: ${loaded.errors.join('; ')}`]);
    this.value = loaded.value;
    this.loadedAt = new Date();
    this.fromBackup = path.resolve(backup);
    this.lastError = { at: new Date().toISOString(), errors };
    this.options.logger.error(
      { file, backup: this.fromBackup, errors },
      'the file is invalid: STARTED ON ITS LAST GOOD VERSION; fix the file (the next valid edit is applied)',
    );
    return loaded;
  }

  current(): T {
    if (this.value === undefined) throw new Error(`${this.options.filePath} has not been loaded`);
    return this.value;
  }

  status(): ReloadStatus {
    return {
      file: path.resolve(this.options.filePath),
      loadedAt: this.loadedAt?.toISOString(),
      lastError: this.lastError,
      ...(this.fromBackup ? { fromBackup: this.fromBackup } : {}),
    };
  }

  /** Re-reads the file now (the watcher calls this); reloads never overlap. */
  reload(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.attempt();
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    await this.running;
    if (this.value !== undefined) this.options.dispose?.(this.value);
  }

  private async attempt(): Promise<LoadResult<T>> {
    let text: string;
    try {
      text = this.options.read ? await this.options.read() : await readFile(this.options.filePath, 'utf8');
    } catch (error) {
      return this.failed([this.options.read ? (error as Error).message : `cannot read ${this.options.filePath}: ${(error as Error).message}`]);
    }
    const digest = createHash('sha256').update(text).digest('hex');
    if (this.value !== undefined && digest === this.digest) {
      // The file reads as what runs: an invalid edit put back, or the last good copy restored by hand,
      // is no longer an error, and readiness stops saying "degraded".
      if (this.lastError || this.fromBackup) this.options.logger.info({ file: this.options.filePath }, 'file is valid again: it matches what runs');
      this.lastError = undefined;
      this.fromBackup = undefined;
      this.options.onReload?.('unchanged');
      return { ok: true, value: this.value };
    }
    let result: LoadResult<T>;
    try {
      result = await this.options.load(text);
    } catch (error) {
      result = { ok: false, errors: [(error as Error).message] };
    }
    if (!result.ok) return this.failed(result.errors);
    if (this.closed) {
      this.options.dispose?.(result.value);
      return result;
    }
    const previous = this.value;
    this.value = result.value;
    this.digest = digest;
    this.loadedAt = new Date();
    this.lastError = undefined;
    this.fromBackup = undefined;
    await this.keepBackup(text);
    if (previous !== undefined) {
      this.options.logger.info({ file: this.options.filePath }, 'file reloaded');
      this.options.dispose?.(previous);
    }
    this.options.onReload?.('applied');
    return result;
  }

  /** Copies a version that loaded to the backup (atomically); a read-only place is only a warning. */
  private async keepBackup(text: string): Promise<void> {
    const backup = this.options.backupPath;
    if (!backup) return;
    const temporary = `${backup}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, text, 'utf8');
      await rename(temporary, backup);
    } catch (error) {
      this.options.logger.warn({ backup, error: (error as Error).message }, 'cannot keep a last good copy of the file');
    }
  }

  private failed(errors: string[]): LoadResult<T> {
    this.lastError = { at: new Date().toISOString(), errors };
    if (this.value !== undefined) {
      this.options.logger.error({ file: this.options.filePath, errors }, 'file change rejected; keeping the last good version');
    }
    this.options.onReload?.('invalid', errors);
    return { ok: false, errors };
  }
}
