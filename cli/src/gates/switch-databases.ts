import { createDatabase, type Database } from '@strangler/kit';
import { findCapability, type Capability } from '@strangler/data-engine/dist/data/capabilities';
import { captureState } from '@strangler/data-engine/dist/data/capture/capture-installer';
import { ChangelogChangeSource } from '@strangler/data-engine/dist/data/capture/changelog-change-source';
import { dataConfigSchema, urlOf } from '@strangler/data-engine/dist/cli/data-config';
import { lowerDbFence, raiseDbFence } from '@strangler/data-engine/dist/data/fence/db-fence';
import type { Direction } from '../sources/sync-client';
import type { BacklogOutcome } from './gate-runner';

type SideName = 'monolith' | 'service';

interface Side {
  db: Database;
  installed: boolean;
  source: ChangelogChangeSource | undefined;
}

/**
 * A capability's two databases, open for one command: the changelog backlog, read over connections
 * kept open (a write-authority switch polls it every 50 ms while writes are fenced, and the engine's
 * full `status` — new connections, row counts of every table — cost a second a read on a loaded
 * MariaDB, most of the write pause), and the database half of the write fence on the old writer.
 */
export class SwitchDatabases {
  private readonly opened = new Map<string, Promise<Record<SideName, Side>>>();

  constructor(private readonly env: Record<string, string | undefined>) {}

  async read(capabilityName: string): Promise<BacklogOutcome> {
    try {
      const sides = await this.sidesOf(capabilityName);
      const of = async (side: Side) => {
        if (!side.source) return { installed: side.installed, pending: 0, oldestAgeSeconds: null };
        const [pending, oldest] = await Promise.all([side.source.pendingCount(), side.source.oldestPendingAt()]);
        return { installed: side.installed, pending, oldestAgeSeconds: oldest === null ? null : Math.max(0, (Date.now() - oldest) / 1000) };
      };
      const [monolith, service] = await Promise.all([of(sides.monolith), of(sides.service)]);
      const byDirection: Record<Direction, typeof monolith> = { 'to-service': monolith, 'to-monolith': service };
      return { ok: true, byDirection };
    } catch (error) {
      this.opened.delete(capabilityName);
      return { ok: false, error: (error as Error).message };
    }
  }

  /** Holds the database fence on these sides (the old writers) for `owner` (data-engine/src/data/fence). */
  async raiseFence(capabilityName: string, sides: readonly SideName[], owner: string, ttlMs: number): Promise<void> {
    const capability = this.capabilityNamed(capabilityName);
    const opened = await this.sidesOf(capabilityName);
    await Promise.all(sides.map((side) => raiseDbFence(opened[side].db.knex, capability, side, owner, ttlMs)));
  }

  async lowerFence(capabilityName: string, sides: readonly SideName[], owner: string): Promise<void> {
    const capability = this.capabilityNamed(capabilityName);
    const opened = await this.sidesOf(capabilityName);
    await Promise.all(sides.map((side) => lowerDbFence(opened[side].db.knex, capability, owner)));
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled(this.opened.values());
    this.opened.clear();
    await Promise.all(all.flatMap((s) => (s.status === 'fulfilled' ? [s.value.monolith.db.close(), s.value.service.db.close()] : [])));
  }

  private capabilityNamed(name: string): Capability {
    const capability = findCapability(name);
    if (!capability) throw new Error(`the data engine knows no capability ${name}`);
    return capability;
  }

  private sidesOf(capabilityName: string): Promise<Record<SideName, Side>> {
    let sides = this.opened.get(capabilityName);
    if (!sides) {
      try {
        sides = this.open(this.capabilityNamed(capabilityName));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      this.opened.set(capabilityName, sides);
    }
    return sides;
  }

  private async open(capability: Capability): Promise<Record<SideName, Side>> {
    const config = dataConfigSchema.parse(this.env);
    const side = async (name: SideName): Promise<Side> => {
      const db = createDatabase(urlOf(config, name === 'monolith' ? 'monolith' : capability.serviceDatabase));
      try {
        const state = await captureState(db.knex, capability, name);
        const source = state.changelog ? new ChangelogChangeSource(db.knex, capability.name, capability.mappings.map((m) => m.name)) : undefined;
        return { db, installed: state.installed, source };
      } catch (error) {
        await db.close();
        throw error;
      }
    };
    const [monolith, service] = await Promise.all([side('monolith'), side('service')]);
    return { monolith, service };
  }
}
