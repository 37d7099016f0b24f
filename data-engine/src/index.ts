/** The data-migration engine's public surface: every consumer imports from here. */
export * from './data';
export { monolithUserToAuthRows, copyMonolithUsersToAuth, AuthEmailConflictError, SHARED_PASSWORD_SCHEMES, type MonolithUserRow, type AuthUserRows, type CopyUsersResult } from './mappings/auth-users';
export { runDataCommand, type DataIo } from './cli/data-command';
export { dataConfigSchema, urlOf, type DataConfig } from './cli/data-config';
export { parseDataArgs } from './cli/data-args';
export {
  monolithPaymentToService, servicePaymentToMonolith, monolithRefundToService, serviceRefundToMonolith,
  monolithIdempotencyKeyToService, serviceIdempotencyKeyToMonolith, copyMonolithPaymentsToService, checkPaymentAmounts,
  type MonolithPaymentRow, type ServicePaymentRow, type MonolithRefundRow, type ServiceRefundRow,
  type MonolithIdempotencyKeyRow, type ServiceIdempotencyKeyRow,
} from './mappings/payments';
