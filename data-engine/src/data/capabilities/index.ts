import path from 'node:path';
import { loadMappingFile } from '../declarative/load-mapping-file';
import { authInvariants, paymentsInvariants, usersMapping } from '../../example-mappings';
import type { Capability } from './capability';

export { type Capability, type CapabilityName, mappingNamed } from './capability';

/** Interim: the shipped example's declarative mappings, until the engine reads the manifests. */
const SHIPPED_MAPPINGS = path.resolve(__dirname, '../../../../manifests/mappings');
const declared = (file: string) => loadMappingFile(path.join(SHIPPED_MAPPINGS, file));

export const sessionsMapping = declared('sessions.json');
export const paymentsMapping = declared('payments.json');
export const refundsMapping = declared('refunds.json');
export const idempotencyKeysMapping = declared('idempotency-keys.json');
export { usersMapping };

export const authCapability: Capability = { name: 'auth', serviceDatabase: 'auth', invariants: authInvariants, mappings: [usersMapping, sessionsMapping] };
export const paymentsCapability: Capability = {
  name: 'payments',
  serviceDatabase: 'payments',
  invariants: paymentsInvariants,
  mappings: [paymentsMapping, refundsMapping, idempotencyKeysMapping],
};

export const CAPABILITIES: readonly Capability[] = [authCapability, paymentsCapability];

export function findCapability(name: string): Capability | undefined {
  return CAPABILITIES.find((capability) => capability.name === name);
}
