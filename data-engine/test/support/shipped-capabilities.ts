import path from 'node:path';
import { findCapability, loadCapabilities, type ConfiguredCapability } from '../../src/data/capabilities';

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
