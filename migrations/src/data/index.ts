/** The data-migration engine: backfill, change capture, two-way sync and verification for any mapping. */
export { CAPABILITIES, findCapability, authCapability, paymentsCapability, type Capability, type CapabilityName } from './capabilities';
export { defineMapping, type EntityMapping, type EntitySide, type MappingSpec } from './mapping';
export { tableSide, upsertRows } from './table-side';
export { runBackfill, type BackfillOptions, type BackfillReport } from './backfill/backfill';
export { installCapture, removeCapture, captureState } from './capture/capture-installer';
export { ChangelogChangeSource } from './capture/changelog-change-source';
export type { ChangeSource, CapturedChange } from './capture/change-source';
export { SyncWorker, type SyncWorkerOptions } from './sync/sync-worker';
export { startSyncService, type RunningSyncService } from './sync/sync-service';
export { createSyncMetrics, type SyncMetrics } from './sync/sync-metrics';
export { runVerify, type VerifyOptions, type VerifyReport } from './verify/verify';
export { capabilityStatus, type CapabilityStatus } from './status';
export { FlowControl } from './flow-control';
export { engineTransaction } from './engine-transaction';
export { decide } from './conflict-rule';
export type { Direction, SideName, KeyTuple, Row } from './types';
