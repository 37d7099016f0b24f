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

const fileSchema = z.object({
  holds: z.array(z.object({ capability: z.string().min(1), owner: z.string().min(1), expiresAt: z.number().finite(), until: z.object({ stage: z.string(), percentage: z.number() }).optional() })),
});

/** The fence file cannot be read: starting unfenced could let writes by in the middle of a switch. */
export class FenceFileError extends Error {
  constructor(file: string, problem: string) {
    super(`the write fence file ${file} cannot be used (${problem}): fix or remove it (EDGE_FENCE_FILE)`);
    this.name = 'FenceFileError';
  }
}

/**
 * Write fence holds kept across a restart of the edge (EDGE_FENCE_FILE; red team: an edge restarted
 * mid-switch came back unfenced and let a write reach the old writer). Written whole and renamed into
 * place on every raise and lower; a missing file is no holds, an unreadable one stops the boot.
 */
export class FenceFile {
  constructor(readonly file: string) {}

  load(): PersistedHold[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new FenceFileError(this.file, (error as Error).message);
    }
    try {
      return fileSchema.parse(JSON.parse(text)).holds;
    } catch (error) {
      throw new FenceFileError(this.file, (error as Error).message.split('\n', 1)[0] ?? 'invalid');
    }
  }

  save(holds: readonly PersistedHold[]): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ holds }, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}
