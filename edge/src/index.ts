/**
 * The edge as other workspaces may use it: its configuration (schema and reader), the runtime wired from
 * that configuration, its listeners, the app itself, and the health endpoints it serves (so deployment
 * files can be checked against them). `server.ts` is the deployable; `@strangler/edge/testing` starts
 * the edge for tests.
 */
export { edgeConfigSchema, readEdgeConfig, type EdgeConfig } from './config';
export { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from './runtime';
export { listenEdge, type EdgeListeners } from './edge-listeners';
export { buildEdge, type Edge, type EdgeDeps } from './app';
export { healthRoutes, type EdgeReadiness } from './health/health-routes';
