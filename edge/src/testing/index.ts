/**
 * The edge for tests, its own and other workspaces' (the CLI's): the edge as production wires it over
 * temporary routes, manifests and flags files, real upstreams that record what they receive, a client
 * that writes raw bytes, and a real Unleash server in a child process. Loaded by tests only.
 */
export {
  startTestEdge,
  standardRoutes,
  monolithOnly,
  inputTexts,
  writeEdgeInputs,
  type TestEdge,
  type RoutesFileShape,
  type ManifestShape,
} from './test-edge';
export { startUpstream, closedPortUrl, echo, eventually, jsonOf, type TestUpstream, type UpstreamHandler, type RecordedRequest } from './upstream';
export { rawExchange, requestHead, trickle, parseAnswer, hostPort, type RawAnswer, type Trickle } from './raw-http';
export { startUnleashServer, type UnleashTestServer, type UnleashTimings } from './unleash-server';
