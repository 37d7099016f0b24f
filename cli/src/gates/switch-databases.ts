import { describeEngineError, loadDataConfig, openEngine, type DataEngine } from '@strangler/data-engine';
import type { BacklogOutcome } from './gate-runner';

type SideName = 'monolith' | 'service';

/**
 * A capability's two databases, open for one command through the data engine's library: the
 * changelog backlog, read over connections kept open (a write-authority switch polls it every 50 ms
 * while writes are fenced, and the engine's full `status` — row counts of every table — cost a second
 * a read on a loaded MariaDB, most of the write pause), and the database half of the write fence on
 * the old writer.
 */
export class SwitchDatabases {
  private engine: DataEngine | undefined;

  constructor(private readonly env: Record<string, string | undefined>) {}

  async read(capabilityName: string): Promise<BacklogOutcome> {
    try {
      return { ok: true, byDirection: await this.opened().backlog(capabilityName) };
    } catch (error) {
      return { ok: false, error: describeEngineError(error) };
    }
  }

  /** Holds the database fence on these sides (the old writers) for `owner` (data-engine/src/data/fence), waiting at most `waitMs` on the tables. */
  async raiseFence(capabilityName: string, sides: readonly SideName[], owner: string, ttlMs: number, waitMs: number): Promise<void> {
    await this.opened().raiseFence(capabilityName, sides, owner, ttlMs, waitMs);
  }

  /** Waits (at most `timeoutMs`) until no transaction that wrote the capability's tables is open on these sides; else says which. */
  async awaitOpenWrites(capabilityName: string, sides: readonly SideName[], timeoutMs: number): Promise<string | undefined> {
    const open = (await this.opened().awaitOpenWrites(capabilityName, sides, timeoutMs)).filter((side) => !side.drained);
    return open.length ? open.map((side) => `${side.label} database: ${side.table ? `${side.table} is held by ` : ''}${side.holders}`).join('; ') : undefined;
  }

  async lowerFence(capabilityName: string, sides: readonly SideName[], owner: string): Promise<void> {
    await this.opened().lowerFence(capabilityName, sides, owner);
  }

  async close(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    await engine?.close();
  }

  /** The engine, its configuration read on first use (a bad variable is that call's error). */
  private opened(): DataEngine {
    this.engine ??= openEngine(loadDataConfig(this.env));
    return this.engine;
  }
}
