import { hostname } from 'node:os';
import type { Knex } from 'knex';
import { LEASES_TABLE } from '../engine-tables';

/** Another live worker runs this capability and direction: this one must not. */
export class LeaseHeldError extends Error {
  readonly code = 'SYNC_WORKER_ALREADY_RUNNING';
  constructor(name: string, holder: LeaseRow) {
    super(
      `another sync worker already runs ${name.replace(/^sync:/, '').replace(':', ' ')} (${holder.holder}${holder.slot ? `, ${holder.slot}` : ''}; ` +
        `it renewed its lease while this one waited): two workers would share one checkpoint. Stop that one first, ` +
        `or use it (SYNC_URLS / strangler status show where it runs)`,
    );
    this.name = 'LeaseHeldError';
  }
}

/** This worker's lease was taken over (it was frozen longer than the lease lasts): it must stop applying. */
export class LeaseLostError extends Error {
  readonly code = 'SYNC_LEASE_LOST';
  constructor(name: string) {
    super(`lost the lease on ${name} to another worker (this one was frozen or cut off longer than the lease lasts); stopping`);
    this.name = 'LeaseLostError';
  }
}

interface LeaseRow {
  name: string;
  holder: string;
  slot: string | null;
  beat: number;
}

export interface WorkerLeaseOptions {
  /** Who holds it, as shown to a refused contender (default: host and pid). */
  holder?: string;
  /** Where the process listens (host:port), when it has a fixed port: a restart on the same slot takes its own lease back at once. */
  slot?: string;
  /** How long a lease whose holder stopped renewing it is respected (observed on this worker's clock, never compared across hosts). */
  ttlMs?: number;
  /** How often an idle worker renews (each applied batch renews in its own transaction). */
  renewEveryMs?: number;
  pollMs?: number;
}

const DEFAULT_TTL_MS = 10_000;

/**
 * One sync worker per capability and direction (issue #11 §6: a second `strangler sync payments`
 * ran beside the first, both "ready", sharing one checkpoint). The lease is a row in the target
 * database beside the checkpoint: a holder and a beat counter it raises on every renewal. Expiry
 * needs no clocks across hosts: a contender watches the counter, and takes the lease only when it
 * has not moved for the TTL on the contender's own clock. Every applied batch renews the lease
 * inside its own transaction, so a worker that lost the lease (frozen past the TTL) cannot commit.
 */
export class WorkerLease {
  readonly holder: string;
  private readonly slot: string | null;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  private readonly pollMs: number;
  private lastRenewAt = 0;

  constructor(
    private readonly db: Knex,
    private readonly name: string,
    options: WorkerLeaseOptions = {},
  ) {
    this.holder = options.holder ?? `${hostname()} pid ${process.pid}`;
    this.slot = options.slot ?? null;
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.renewEveryMs = options.renewEveryMs ?? 1_000;
    this.pollMs = options.pollMs ?? 250;
  }

  /**
   * Takes the lease: at once when it is free, released, ours, or held for our slot (our own
   * restart); after the TTL when its holder stopped renewing; LeaseHeldError when it renews.
   */
  async acquire(): Promise<void> {
    let watched: { beat: number; since: number } | undefined;
    for (;;) {
      const row = await this.read();
      if (!row) {
        if (await this.insert()) return;
        continue;
      }
      const mine = row.holder === this.holder || row.holder === '' || (this.slot !== null && row.slot === this.slot);
      if (mine || (watched?.beat === row.beat && Date.now() - watched.since >= this.ttlMs)) {
        if (await this.takeOver(row)) return;
        continue;
      }
      if (watched && watched.beat !== row.beat) throw new LeaseHeldError(this.name, row);
      if (watched?.beat !== row.beat) watched = { beat: row.beat, since: Date.now() };
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  /** Renews inside `trx` (an applying transaction): throws LeaseLostError, rolling it back, when another holds the lease. */
  async renewIn(trx: Knex.Transaction): Promise<void> {
    await this.renew(trx);
  }

  /** Renews now and then while idle. */
  async keepAlive(): Promise<void> {
    if (Date.now() - this.lastRenewAt < this.renewEveryMs) return;
    await this.renew(this.db);
  }

  /** Gives the lease up (a clean stop): the next worker starts at once. */
  async release(): Promise<void> {
    await this.db(LEASES_TABLE).where({ name: this.name, holder: this.holder }).update({ holder: '', slot: null });
  }

  private async renew(db: Knex): Promise<void> {
    const updated = await db(LEASES_TABLE)
      .where({ name: this.name, holder: this.holder })
      .update({ beat: db.raw('beat + 1'), renewed_at: Date.now() });
    if (updated !== 1) throw new LeaseLostError(this.name);
    this.lastRenewAt = Date.now();
  }

  private async read(): Promise<LeaseRow | undefined> {
    const row = (await this.db(LEASES_TABLE).where({ name: this.name }).first()) as (Omit<LeaseRow, 'beat'> & { beat: unknown }) | undefined;
    return row ? { ...row, beat: Number(row.beat) } : undefined;
  }

  private async insert(): Promise<boolean> {
    try {
      await this.db(LEASES_TABLE).insert({ name: this.name, holder: this.holder, slot: this.slot, beat: 0, renewed_at: Date.now() });
      this.lastRenewAt = Date.now();
      return true;
    } catch {
      return false; // another took it first: read again
    }
  }

  /** Compare-and-set on the beat: of two contenders, one wins. */
  private async takeOver(row: LeaseRow): Promise<boolean> {
    const updated = await this.db(LEASES_TABLE)
      .where({ name: this.name, beat: row.beat })
      .update({ holder: this.holder, slot: this.slot, beat: row.beat + 1, renewed_at: Date.now() });
    if (updated === 1) this.lastRenewAt = Date.now();
    return updated === 1;
  }
}
