/**
 * The monolith as other workspaces may use it: the app (tests and tools start it in-process), its
 * configuration schema, its OpenAPI document and checkout's HTTP payments client. `server.ts` is the
 * deployable; `@strangler/monolith/testing` starts it for tests.
 */
export { buildMonolithApp, type MonolithDeps } from './app';
export { monolithConfigSchema, type MonolithConfig } from './config';
export { monolithApiDocument } from './api-document';
export { httpPaymentsPort, type HttpPaymentsPortOptions } from './payments-client/http-payments-port';
export type { ChargedPayment, OrderCharge, PaymentsPort } from './payments/payments-port';
