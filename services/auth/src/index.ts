/**
 * The auth service as other workspaces may use it: the app, its configuration schema and its OpenAPI
 * document. `server.ts` is the deployable; `@strangler/auth-service/testing` starts it for tests.
 */
export { buildAuthServiceApp, type AuthServiceDeps } from './app';
export { authServiceConfigSchema, type AuthServiceConfig } from './config';
export { authServiceApiDocument } from './api-document';
