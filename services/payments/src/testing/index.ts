/** The payments service for other workspaces' tests: on port 0 over a fresh migrated database, alone
 * or with a monolith as its session peer. */
export {
  startPaymentsService,
  startPaymentsStack,
  type PaymentsServiceOptions,
  type RunningPaymentsService,
  type RunningPaymentsStack,
} from './start-payments-service';
