/**
 * The shipped example's TypeScript mappings and invariants (`@strangler/data-engine/example-mappings`),
 * named by manifests/auth.json and manifests/payments.json as `{ "module", "export" }`. Built only
 * from the engine's public index, as a team's own mapping module would be. The example's other
 * mappings are declarative files: manifests/mappings/*.json.
 */
export { usersMapping } from './example/users-mapping';
export { authInvariants } from './example/auth-invariants';
export { paymentsInvariants } from './example/payments-invariants';
