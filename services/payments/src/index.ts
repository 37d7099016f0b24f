/**
 * The payments service as other workspaces may use it: the app, its configuration schema and its
 * OpenAPI document. `server.ts` is the deployable; `@strangler/payments-service/testing` starts it for tests.
 */
export { buildPaymentsServiceApp, type PaymentsServiceDeps } from './app';
export { paymentsServiceConfigSchema, type PaymentsServiceConfig } from './config';
export { paymentsServiceApiDocument } from './api-document';
