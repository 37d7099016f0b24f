import { authCapability } from './auth-mappings';
import { paymentsCapability } from './payments-mappings';
import type { Capability } from './capability';

export { type Capability, type CapabilityName, mappingNamed } from './capability';
export { authCapability, usersMapping, sessionsMapping } from './auth-mappings';
export { paymentsCapability, paymentsMapping, refundsMapping, idempotencyKeysMapping } from './payments-mappings';

export const CAPABILITIES: readonly Capability[] = [authCapability, paymentsCapability];

export function findCapability(name: string): Capability | undefined {
  return CAPABILITIES.find((capability) => capability.name === name);
}
