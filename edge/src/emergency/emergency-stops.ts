import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '@strangler/kit';

/** A capability sent to the monolith by an operator, whatever its flag says, until cleared. */
export interface EmergencyStop {
  capability: string;
  flag: string;
  /** Who asked (the CLI sends its operator's name), and why. */
  by: string;
  reason: string;
  since: string;
}

const fileSchema = z.object({
  stops: z.array(z.object({ capability: z.string().min(1), flag: z.string().min(1), by: z.string(), reason: z.string(), since: z.string() })),
});

/** The emergency stops file cannot be read: starting without them could send a stopped capability back to its service. */
export class EmergencyStopsFileError extends Error {
  constructor(file: string, problem: string) {
    super(`the emergency stops file ${file} cannot be used (${problem}): fix or remove it (EDGE_EMERGENCY_FILE)`);
    this.name = 'EmergencyStopsFileError';
  }
}

/**
 * The kill switch that works without Unleash (issue #13 §7: with Unleash unreachable there was no
 * way to roll back). Kept in this edge's memory and, with a file, across restarts — a restart during
 * an Unleash outage must not undo it. Every edge has its own: `strangler rollback --emergency` sets it
 * on each of EDGE_URLS. The flag source consults it before any flag (emergency-flag-source.ts).
 */
export class EmergencyStops {
  private readonly stops = new Map<string, EmergencyStop>();
  private changes = 0;

  constructor(
    private readonly file: string | undefined,
    private readonly logger: Logger,
  ) {
    if (file) this.load(file);
  }

  /** Bumped on every change: evaluation caches key on it. */
  revision(): number {
    return this.changes;
  }

  activeFor(flag: string): EmergencyStop | undefined {
    return this.stops.get(flag);
  }

  list(): EmergencyStop[] {
    return [...this.stops.values()];
  }

  stop(stop: Omit<EmergencyStop, 'since'>): EmergencyStop {
    const existing = this.stops.get(stop.flag);
    const entry = { ...stop, since: existing?.since ?? new Date().toISOString() };
    this.stops.set(stop.flag, entry);
    this.changed();
    this.logger.error({ capability: stop.capability, by: stop.by, reason: stop.reason }, 'EMERGENCY STOP: every request of the capability goes to the monolith, whatever its flag says, until cleared');
    return entry;
  }

  clear(flag: string): EmergencyStop | undefined {
    const cleared = this.stops.get(flag);
    if (!cleared) return undefined;
    this.stops.delete(flag);
    this.changed();
    this.logger.warn({ capability: cleared.capability }, 'emergency stop cleared: the capability routes by its flag again');
    return cleared;
  }

  private changed(): void {
    this.changes += 1;
    if (this.file) this.save(this.file);
  }

  private load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new EmergencyStopsFileError(file, (error as Error).message);
    }
    let parsed: z.infer<typeof fileSchema>;
    try {
      parsed = fileSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new EmergencyStopsFileError(file, (error as Error).message.split('\n', 1)[0] ?? 'invalid');
    }
    for (const stop of parsed.stops) this.stops.set(stop.flag, stop);
    if (this.stops.size) this.logger.error({ stops: this.list() }, 'EMERGENCY STOPS in force from before this start: those capabilities go to the monolith');
  }

  /** Written before the change is acknowledged (a crash right after must not lose it), atomically. */
  private save(file: string): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ stops: this.list() }, null, 2)}\n`);
    renameSync(temporary, file);
  }
}
