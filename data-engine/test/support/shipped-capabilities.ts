import path from 'node:path';
import { findCapability, loadCapabilities, mappingNamed, type ConfiguredCapability } from '../../src/data/capabilities';
import type { EntityMapping } from '../../src/data/mapping';

/** The repository's manifests directory (the shipped auth and payments capabilities). */
export const MANIFESTS_DIR = path.resolve(__dirname, '../../../manifests');

let loaded: ConfiguredCapability[] | undefined;

/** A shipped capability as the engine loads it from its manifest (database URLs: the defaults). */
export function shippedCapability(name: 'auth' | 'payments'): ConfiguredCapability {
  loaded ??= loadCapabilities({ dir: MANIFESTS_DIR, env: {} });
  const capability = findCapability(loaded, name);
  if (!capability) throw new Error(`manifests/${name}.json declares no data`);
  return capability;
}

/** One mapping of a shipped capability (declarative or TypeScript), as the engine runs it. */
export const shippedMapping = (capability: 'auth' | 'payments', name: string): EntityMapping => mappingNamed(shippedCapability(capability), name);
