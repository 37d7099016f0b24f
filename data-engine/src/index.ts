/** The data-migration engine's public surface: every consumer imports from here (or `./example-mappings`). */
export * from './data';
export { openEngine, type DataEngine, type SideOpenWrites, type Backlog, type DirectionBacklog, type EngineStatus, type VerifyRequest } from './engine/data-engine';
export { describeEngineError } from './engine/engine-error';
export { capabilityNamed } from './engine/unknown-capability';
export type { CaptureState } from './data/capture/capture-installer';
export { raiseDbFence, lowerDbFence } from './data/fence/db-fence';
export { awaitOpenWrites, type OpenWritesOutcome } from './data/fence/open-writes';
export { dataConfigSchema, loadDataConfig, type DataConfig } from './cli/data-config';
/** The `data` CLI as a function (argv in, exit code out): for a command line that passes its arguments through. */
export { runDataCommand, type DataIo } from './cli/data-command';
export { parseDataArgs, dataUsage } from './cli/data-args';
export { monolithUserToAuthRows, copyMonolithUsersToAuth, AuthEmailConflictError, SHARED_PASSWORD_SCHEMES, type MonolithUserRow, type AuthUserRows, type CopyUsersResult } from './mappings/auth-users';
export {
  monolithPaymentToService, servicePaymentToMonolith, monolithRefundToService, serviceRefundToMonolith,
  monolithIdempotencyKeyToService, serviceIdempotencyKeyToMonolith, copyMonolithPaymentsToService, checkPaymentAmounts,
  type MonolithPaymentRow, type ServicePaymentRow, type MonolithRefundRow, type ServiceRefundRow,
  type MonolithIdempotencyKeyRow, type ServiceIdempotencyKeyRow,
} from './mappings/payments';
