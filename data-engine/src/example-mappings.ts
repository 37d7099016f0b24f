/**
 * The shipped example's mappings and invariants (the auth and payments capabilities), by name, for
 * capability manifests to reference as `{ "module": "@strangler/data-engine/example-mappings", "export": "…" }`.
 */
export { usersMapping, sessionsMapping, paymentsMapping, refundsMapping, idempotencyKeysMapping } from './data/capabilities';
export { paymentsInvariants } from './data/invariants/payments-invariants';
export { authInvariants } from './data/invariants/auth-invariants';
