/**
 * The shipped example's TypeScript mappings and invariants (`@strangler/data-engine/example-mappings`),
 * named by manifests/auth.json and manifests/payments.json. Built only from the engine's public
 * index, as a team's own mapping module would be. The example's other mappings are declarative:
 * manifests/mappings/*.json.
 */
export { usersMapping } from './users-mapping';
export { authInvariants } from './auth-invariants';
export { paymentsInvariants } from './payments-invariants';
