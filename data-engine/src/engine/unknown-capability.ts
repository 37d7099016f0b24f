import { findCapability, type ConfiguredCapability } from '../data/capabilities';
import { DataCommandError } from '../data/command-error';

/** The capability the manifests declare under `name`, or a one-sentence error listing the ones they declare. */
export function capabilityNamed(capabilities: readonly ConfiguredCapability[], name: string): ConfiguredCapability {
  const capability = findCapability(capabilities, name);
  if (!capability) throw new DataCommandError(`the data engine knows no capability ${name} (it knows ${capabilities.map((c) => c.name).join(', ') || 'none'})`);
  return capability;
}
