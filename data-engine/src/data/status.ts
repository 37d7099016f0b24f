import type { Knex } from 'knex';
import type { Capability } from './capabilities/capability';
import { captureState, type CaptureState } from './capture/capture-installer';
import { ChangelogChangeSource } from './capture/changelog-change-source';
import { listCheckpoints } from './engine-tables';
import type { BackfillCheckpoint } from './backfill/backfill';
import { listQuarantine, quarantineCounts, type QuarantineCounts, type QuarantineRecord } from './quarantine/quarantine-store';
import type { SyncCheckpoint } from './sync/sync-worker';
import { sourceOf, targetOf, type Direction, type KeyTuple, type SideName } from './types';

export interface SideCaptureStatus extends CaptureState {
  pending: number;
  oldestPendingAgeSeconds: number | null;
  /** The oldest change waiting here: the row a lagging sync is stuck behind. */
  oldestPending: { mapping: string; key: KeyTuple; ageSeconds: number } | null;
}

export interface QuarantineSample {
  mapping: string;
  key: KeyTuple;
  kind: QuarantineRecord['kind'];
  reason: string;
  attempts: number;
  firstSeenAt: string;
}

export interface DirectionQuarantine extends QuarantineCounts {
  /** The oldest open entries (up to 10). */
  samples: QuarantineSample[];
}

export interface CapabilityStatus {
  capability: string;
  capture: Record<SideName, SideCaptureStatus>;
  backfill: Array<{ direction: Direction; mapping: string; rows: number; done: boolean; after: readonly string[] | null; updatedAt: string }>;
  sync: Array<{ direction: Direction; appliedChanges: number; lastAppliedAt: string | null }>;
  /** Entities set aside per direction, apart from the lag: they do not hold the sync up, an operator acts on them. */
  quarantine: Record<Direction, DirectionQuarantine>;
  rows: Array<{ mapping: string; monolith: number; service: number }>;
}

async function sideCapture(db: Knex, capability: Capability, side: SideName): Promise<SideCaptureStatus> {
  const state = await captureState(db, capability, side);
  if (!state.changelog) return { ...state, pending: 0, oldestPendingAgeSeconds: null, oldestPending: null };
  const source = new ChangelogChangeSource(db, capability.name, capability.mappings.map((m) => m.name));
  const [pending, oldest] = await Promise.all([source.pendingCount(), source.oldestPending()]);
  const age = oldest === null ? null : Math.max(0, (Date.now() - oldest.capturedAt) / 1000);
  return { ...state, pending, oldestPendingAgeSeconds: age, oldestPending: oldest && age !== null ? { mapping: oldest.mapping, key: oldest.key, ageSeconds: age } : null };
}

async function directionQuarantine(db: Knex, capability: Capability, direction: Direction): Promise<DirectionQuarantine> {
  const counts = await quarantineCounts(db, capability.name, direction);
  const open = counts.open ? (await listQuarantine(db, capability.name, { open: true })).filter((item) => item.direction === direction).slice(0, 10) : [];
  const samples = open.map((item) => ({ mapping: item.mapping, key: item.key, kind: item.kind, reason: item.reason, attempts: item.attempts, firstSeenAt: new Date(item.firstSeenAt).toISOString() }));
  return { ...counts, samples };
}

/** Where a capability's data migration stands: capture, backfill and sync checkpoints, backlog, quarantine, counts. */
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
      sync.push({ direction, appliedChanges: state.appliedChanges, lastAppliedAt: state.appliedAt ? new Date(state.appliedAt).toISOString() : null });
    }
  }
  const quarantine = {
    'to-service': await directionQuarantine(databases[targetOf('to-service')], capability, 'to-service'),
    'to-monolith': await directionQuarantine(databases[targetOf('to-monolith')], capability, 'to-monolith'),
  };
  const rows = await Promise.all(
    capability.mappings.map(async (mapping) => ({
      mapping: mapping.name,
      monolith: await mapping.monolith.count(databases.monolith),
      service: await mapping.service.count(databases.service),
    })),
  );
  return { capability: capability.name, capture: { monolith: captureMonolith, service: captureService }, backfill, sync, quarantine, rows };
}

/**
 * What holds a direction back, in one line a gate can print: the change it is waiting on (the
 * oldest in the source's changelog, with its age) and what sits in the quarantine.
 */
export function describeBlockers(status: CapabilityStatus, direction: Direction): string {
  const capture = status.capture[sourceOf(direction)];
  const parts: string[] = [];
  if (capture.oldestPending) {
    parts.push(`waiting on ${capture.oldestPending.mapping} ${JSON.stringify(capture.oldestPending.key)} (captured ${capture.oldestPending.ageSeconds.toFixed(1)} s ago, ${capture.pending} pending)`);
  }
  const q = status.quarantine[direction];
  if (q.open) {
    const first = q.samples[0];
    parts.push(`${q.open} row(s) quarantined${first ? `, first ${first.mapping} ${JSON.stringify(first.key)} (${first.kind}: ${first.reason})` : ''}`);
  }
  return parts.join('; ') || 'nothing: caught up, nothing quarantined';
}
