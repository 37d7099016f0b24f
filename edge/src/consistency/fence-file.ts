import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** A hold as kept on disk: its expiry as an epoch time (a new process has a new monotonic clock). */
export interface PersistedHold {
  capability: string;
  owner: string;
  expiresAt: number;
  until?: { stage: string; percentage: number };
}

/**
 * Writes the edge gave up on that an upstream may still do (decision 0038), as kept on disk: how many,
 * and the epoch time until which they are in doubt. No request, body or caller: only what a switch's
 * drain needs to wait for them after a restart.
 */
export interface PersistedDoubt {
  capability: string;
  count: number;
  until: number;
}

/**
 * An edge process running on the file (decision 0038, amendment 2): written at its start, removed by its
 * graceful stop. Found by the next start, the previous process did not stop cleanly (SIGKILL, OOM, a
 * crash) and the writes it had in flight are unknown: each capability it let writes through for is in
 * doubt for one longest write deadline (`inDoubtMs`, its own: a restart may run with shorter timeouts).
 */
export interface RunningRecord {
  bootId: string;
  /** Epoch ms the process started. */
  since: number;
  /** Longest a write it let through may be in doubt: the longest deadline it can carry plus the skew margin. */
  inDoubtMs: number;
  /** Capabilities it let at least one write through for (saved before the first one is sent). */
  wrote: string[];
}

const fileSchema = z.object({
  holds: z.array(z.object({ capability: z.string().min(1), owner: z.string().min(1), expiresAt: z.number().finite(), until: z.object({ stage: z.string(), percentage: z.number() }).optional() })),
  // Absent in files written before decision 0038's amendment: none in doubt.
  doubts: z.array(z.object({ capability: z.string().min(1), count: z.number().int().positive().max(1_000_000), until: z.number().finite() })).default([]),
  // Absent: the last process stopped cleanly (or was written before amendment 2).
  running: z.object({ bootId: z.string().min(1), since: z.number().finite(), inDoubtMs: z.number().int().nonnegative().max(86_400_000), wrote: z.array(z.string().min(1)).max(10_000) }).optional(),
});

export interface FenceFileContents {
  holds: PersistedHold[];
  doubts: PersistedDoubt[];
  running?: RunningRecord;
}

/** The fence file cannot be read: starting unfenced could let writes by in the middle of a switch. */
export class FenceFileError extends Error {
  constructor(file: string, problem: string) {
    super(`the write fence file ${file} cannot be used (${problem}): fix or remove it (EDGE_FENCE_FILE)`);
    this.name = 'FenceFileError';
  }
}

/**
 * Write fence holds and writes in doubt kept across a restart of the edge (EDGE_FENCE_FILE; red team:
 * an edge restarted mid-switch came back unfenced and let a write reach the old writer; an edge that
 * crashed forgot the writes a frozen upstream could still do). Written whole and renamed into place;
 * a missing file is nothing held, an unreadable one stops the boot (what it held is unknown).
 */
export class FenceFile {
  constructor(readonly file: string) {}

  load(): FenceFileContents {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { holds: [], doubts: [] };
      throw new FenceFileError(this.file, (error as Error).message);
    }
    try {
      return fileSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new FenceFileError(this.file, (error as Error).message.split('\n', 1)[0] ?? 'invalid');
    }
  }

  save(contents: FenceFileContents): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(contents, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}
