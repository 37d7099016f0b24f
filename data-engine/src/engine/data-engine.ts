import type { Database, Logger } from '@strangler/kit';
import type { Capability } from '../data/capabilities';
import { captureState } from '../data/capture/capture-installer';
import { ChangelogChangeSource } from '../data/capture/changelog-change-source';
import { openDatabase, requireSchema } from '../data/connections';
import { lowerDbFence, raiseDbFence } from '../data/fence/db-fence';
import { awaitOpenWrites, type OpenWritesOutcome } from '../data/fence/open-writes';
import { capabilityStatus, describeBlockers, type CapabilityStatus } from '../data/status';
import { runVerify, type VerifyOptions, type VerifyReport } from '../data/verify/verify';
import type { Direction, SideName } from '../data/types';
import type { DataConfig } from '../cli/data-config';
import { capabilityNamed } from './unknown-capability';

/** What one direction's source holds that its target has not applied yet, read from the changelog. */
export interface DirectionBacklog {
  installed: boolean;
  pending: number;
  oldestAgeSeconds: number | null;
}

export type Backlog = Record<Direction, DirectionBacklog>;

/** Where a capability's data migration stands, and per direction in one line what holds it back. */
export interface EngineStatus extends CapabilityStatus {
  blockers: Record<Direction, string>;
}

/** One side's answer to `awaitOpenWrites`, with the side's label for messages ("monolith", "payments service"). */
export interface SideOpenWrites extends OpenWritesOutcome {
  side: SideName;
  label: string;
}

/** verify's knobs (the data CLI's `verify` options); defaults as there. */
export type VerifyRequest = Pick<VerifyOptions, 'mappings' | 'chunkSize' | 'rechecks' | 'recheckDelayMs' | 'maxReported' | 'invariants' | 'progress'>;

/**
 * The data engine as a library, for one caller's lifetime (one `strangler` command): each
 * capability's two databases are opened on first use and kept open until `close`, so a caller that
 * polls (a write-authority switch reads the backlog every 50 ms while writes are fenced) pays for
 * connections once. Every method throws an Error whose message is one sentence (describeEngineError).
 */
export interface DataEngine {
  verify(capability: string, request?: VerifyRequest): Promise<VerifyReport>;
  status(capability: string): Promise<EngineStatus>;
  /** The changelog backlog per direction. Whether capture is installed is read once per engine. */
  backlog(capability: string): Promise<Backlog>;
  /**
   * Holds the database half of the write fence on these sides (the old writers) for `owner`, `ttlMs` by
   * the database's clock; on MariaDB/MySQL it may wait for open transactions on the tables, at most
   * `waitMs` (default 5 s), then fails naming them (raiseDbFence).
   */
  raiseFence(capability: string, sides: readonly SideName[], owner: string, ttlMs: number, waitMs?: number): Promise<void>;
  lowerFence(capability: string, sides: readonly SideName[], owner: string): Promise<void>;
  /**
   * Once the fence is raised: waits (at most `timeoutMs`, all sides at once) until no transaction that
   * wrote the capability's tables is still open on these sides (decision 0048), one outcome per side.
   */
  awaitOpenWrites(capability: string, sides: readonly SideName[], timeoutMs: number): Promise<SideOpenWrites[]>;
  close(): Promise<void>;
}

interface OpenSide {
  db: Database;
  label: string;
  /** Read on the first backlog. */
  changelog?: { installed: boolean; source: ChangelogChangeSource | undefined };
}

type OpenCapability = { capability: Capability } & Record<SideName, OpenSide>;

export function openEngine(config: DataConfig, options: { logger?: Logger } = {}): DataEngine {
  return new EngineSession(config, options.logger);
}

class EngineSession implements DataEngine {
  private readonly opened = new Map<string, Promise<OpenCapability>>();

  constructor(
    private readonly config: DataConfig,
    private readonly logger: Logger | undefined,
  ) {}

  async verify(name: string, request: VerifyRequest = {}): Promise<VerifyReport> {
    const open = await this.withSchema(name);
    return runVerify({ ...request, capability: open.capability, monolith: open.monolith.db.knex, service: open.service.db.knex });
  }

  async status(name: string): Promise<EngineStatus> {
    const open = await this.withSchema(name);
    const status = await capabilityStatus(open.capability, open.monolith.db.knex, open.service.db.knex);
    return { ...status, blockers: { 'to-service': describeBlockers(status, 'to-service'), 'to-monolith': describeBlockers(status, 'to-monolith') } };
  }

  async backlog(name: string): Promise<Backlog> {
    try {
      const open = await this.open(name);
      const [monolith, service] = await Promise.all([sideBacklog(open, 'monolith'), sideBacklog(open, 'service')]);
      return { 'to-service': monolith, 'to-monolith': service };
    } catch (error) {
      await this.forget(name); // a connection lost (a database restarted) is opened again on the next read
      throw error;
    }
  }

  async raiseFence(name: string, sides: readonly SideName[], owner: string, ttlMs: number, waitMs?: number): Promise<void> {
    const open = await this.open(name);
    await Promise.all(sides.map((side) => raiseDbFence(open[side].db.knex, open.capability, side, owner, ttlMs, waitMs === undefined ? {} : { waitMs })));
  }

  async lowerFence(name: string, sides: readonly SideName[], owner: string): Promise<void> {
    const open = await this.open(name);
    await Promise.all(sides.map((side) => lowerDbFence(open[side].db.knex, open.capability, owner)));
  }

  async awaitOpenWrites(name: string, sides: readonly SideName[], timeoutMs: number): Promise<SideOpenWrites[]> {
    const open = await this.open(name);
    return Promise.all(sides.map(async (side) => ({ side, label: open[side].label, ...(await awaitOpenWrites(open[side].db.knex, open.capability, side, timeoutMs)) })));
  }

  async close(): Promise<void> {
    await Promise.all([...this.opened.keys()].map((name) => this.forget(name)));
  }

  private async withSchema(name: string): Promise<OpenCapability> {
    const open = await this.open(name);
    await Promise.all((['monolith', 'service'] as const).map((side) => requireSchema(open[side].db.knex, open.capability, side, open[side].label)));
    return open;
  }

  private open(name: string): Promise<OpenCapability> {
    let open = this.opened.get(name);
    if (!open) {
      open = this.openBoth(name);
      this.opened.set(name, open);
      const opening = open;
      opening.catch(() => {
        if (this.opened.get(name) === opening) this.opened.delete(name);
      });
    }
    return open;
  }

  private async openBoth(name: string): Promise<OpenCapability> {
    const capability = capabilityNamed(this.config.capabilities, name);
    const side = async (side: SideName): Promise<OpenSide> => {
      const label = side === 'monolith' ? 'monolith' : `${capability.name} service`;
      return { db: await openDatabase(label, capability.databases[side], { ...(this.logger ? { logger: this.logger } : {}) }), label };
    };
    const [monolith, service] = await Promise.allSettled([side('monolith'), side('service')]);
    if (monolith.status === 'rejected' || service.status === 'rejected') {
      await Promise.all([monolith, service].flatMap((s) => (s.status === 'fulfilled' ? [s.value.db.close()] : [])));
      throw monolith.status === 'rejected' ? monolith.reason : (service as PromiseRejectedResult).reason;
    }
    return { capability, monolith: monolith.value, service: service.value };
  }

  private async forget(name: string): Promise<void> {
    const open = this.opened.get(name);
    this.opened.delete(name);
    const settled = await open?.then((value) => value, () => undefined);
    if (settled) await Promise.all([settled.monolith.db.close(), settled.service.db.close()].map((p) => p.catch(() => undefined)));
  }
}

async function sideBacklog(open: OpenCapability, name: SideName): Promise<DirectionBacklog> {
  const side = open[name];
  if (!side.changelog) {
    const state = await captureState(side.db.knex, open.capability, name);
    const mappings = open.capability.mappings.map((m) => m.name);
    side.changelog = { installed: state.installed, source: state.changelog ? new ChangelogChangeSource(side.db.knex, open.capability.name, mappings) : undefined };
  }
  const { installed, source } = side.changelog;
  if (!source) return { installed, pending: 0, oldestAgeSeconds: null };
  const [pending, oldest] = await Promise.all([source.pendingCount(), source.oldestPendingAt()]);
  return { installed, pending, oldestAgeSeconds: oldest === null ? null : Math.max(0, (Date.now() - oldest) / 1000) };
}
