import type { Knex } from 'knex';
import type { Capability } from './capabilities/capability';
import { captureState, type CaptureState } from './capture/capture-installer';
import { ChangelogChangeSource } from './capture/changelog-change-source';
import { listCheckpoints } from './engine-tables';
import type { BackfillCheckpoint } from './backfill/backfill';
import type { SyncCheckpoint } from './sync/sync-worker';
import type { Direction, SideName } from './types';

export interface SideCaptureStatus extends CaptureState {
  pending: number;
  oldestPendingAgeSeconds: number | null;
}

export interface CapabilityStatus {
  capability: string;
  capture: Record<SideName, SideCaptureStatus>;
  backfill: Array<{ direction: Direction; mapping: string; rows: number; done: boolean; after: readonly string[] | null; updatedAt: string }>;
  sync: Array<{ direction: Direction; appliedChanges: number; authority: SideName; lastAppliedAt: string | null }>;
  rows: Array<{ mapping: string; monolith: number; service: number }>;
}

async function sideCapture(db: Knex, capability: Capability, side: SideName): Promise<SideCaptureStatus> {
  const state = await captureState(db, capability, side);
  if (!state.changelog) return { ...state, pending: 0, oldestPendingAgeSeconds: null };
  const source = new ChangelogChangeSource(db, capability.name, capability.mappings.map((m) => m.name));
  const [pending, oldest] = await Promise.all([source.pendingCount(), source.oldestPendingAt()]);
  return { ...state, pending, oldestPendingAgeSeconds: oldest === null ? null : Math.max(0, (Date.now() - oldest) / 1000) };
}

/** Where a capability's data migration stands: capture, backfill and sync checkpoints, backlog, counts. */
export async function capabilityStatus(capability: Capability, monolith: Knex, service: Knex): Promise<CapabilityStatus> {
  const databases: Record<SideName, Knex> = { monolith, service };
  const [captureMonolith, captureService] = await Promise.all([sideCapture(monolith, capability, 'monolith'), sideCapture(service, capability, 'service')]);
  const backfill: CapabilityStatus['backfill'] = [];
  const sync: CapabilityStatus['sync'] = [];
  for (const [direction, target] of [['to-service', service], ['to-monolith', monolith]] as Array<[Direction, Knex]>) {
    for (const checkpoint of await listCheckpoints(target, `backfill:${capability.name}:${direction}:`)) {
      const state = checkpoint.state as BackfillCheckpoint;
      backfill.push({ direction, mapping: checkpoint.name.split(':')[3] ?? '', rows: state.rows, done: state.done, after: state.after, updatedAt: new Date(checkpoint.updatedAt).toISOString() });
    }
    for (const checkpoint of await listCheckpoints(target, `sync:${capability.name}:${direction}`)) {
      const state = checkpoint.state as SyncCheckpoint;
      sync.push({ direction, appliedChanges: state.appliedChanges, authority: state.authority, lastAppliedAt: state.appliedAt ? new Date(state.appliedAt).toISOString() : null });
    }
  }
  const rows = await Promise.all(
    capability.mappings.map(async (mapping) => ({
      mapping: mapping.name,
      monolith: await mapping.monolith.count(databases.monolith),
      service: await mapping.service.count(databases.service),
    })),
  );
  return { capability: capability.name, capture: { monolith: captureMonolith, service: captureService }, backfill, sync, rows };
}
