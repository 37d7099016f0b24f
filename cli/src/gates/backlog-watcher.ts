import { createDatabase, type Database } from '@strangler/kit';
import { findCapability, type Capability } from '@strangler/migrations/dist/data/capabilities';
import { captureState } from '@strangler/migrations/dist/data/capture/capture-installer';
import { ChangelogChangeSource } from '@strangler/migrations/dist/data/capture/changelog-change-source';
import { dataConfigSchema, urlOf } from '@strangler/migrations/dist/cli/data-config';
import type { Direction } from '../sources/sync-client';
import type { BacklogOutcome } from './gate-runner';

interface Side {
  db: Database;
  installed: boolean;
  source: ChangelogChangeSource | undefined;
}

/**
 * The changelog backlog, read over connections kept open for one command: a write-authority switch
 * polls it every 50 ms while writes are fenced, and the engine's full `status` (new connections, row
 * counts of every table) cost a second a read on a loaded MariaDB — most of the write pause.
 */
export class BacklogWatcher {
  private readonly opened = new Map<string, Promise<Record<'monolith' | 'service', Side>>>();

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

  async close(): Promise<void> {
    const all = await Promise.allSettled(this.opened.values());
    this.opened.clear();
    await Promise.all(all.flatMap((s) => (s.status === 'fulfilled' ? [s.value.monolith.db.close(), s.value.service.db.close()] : [])));
  }

  private sidesOf(capabilityName: string): Promise<Record<'monolith' | 'service', Side>> {
    let sides = this.opened.get(capabilityName);
    if (!sides) {
      const capability = findCapability(capabilityName);
      if (!capability) return Promise.reject(new Error(`the data engine knows no capability ${capabilityName}`));
      sides = this.open(capability);
      this.opened.set(capabilityName, sides);
    }
    return sides;
  }

  private async open(capability: Capability): Promise<Record<'monolith' | 'service', Side>> {
    const config = dataConfigSchema.parse(this.env);
    const side = async (name: 'monolith' | 'service'): Promise<Side> => {
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
