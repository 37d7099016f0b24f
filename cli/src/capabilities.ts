import { formatManifestProblem, loadManifests, manifestFlag, type LoadedManifest } from '@strangler/cutover-model';
import { CliError, usageError } from './cli-error';

export interface CapabilityRef {
  name: string;
  /** The capability's Unleash flag (its manifest may name another than `strangler.<name>`). */
  flag: string;
  /** Its manifest, as loaded. */
  loaded: LoadedManifest;
}

/**
 * The capabilities there are, from their manifests (MANIFESTS_DIR): the one place that says which
 * exist and which flag each is moved by. An invalid manifest is refused, named, before anything is done.
 */
export function readCapabilities(manifestsDir: string): CapabilityRef[] {
  const loaded = loadManifests(manifestsDir);
  if (!loaded.ok) throw new CliError(`the capability manifests in ${manifestsDir} (MANIFESTS_DIR) are invalid:\n  ${loaded.problems.map(formatManifestProblem).join('\n  ')}`);
  return loaded.manifests.map((entry) => ({ name: entry.manifest.name, flag: manifestFlag(entry.manifest), loaded: entry }));
}

export function findCapability(capabilities: readonly CapabilityRef[], name: string | undefined): CapabilityRef {
  const known = capabilities.map((c) => c.name).join(', ');
  if (!name) throw usageError(`a capability is required: ${known}`);
  const found = capabilities.find((c) => c.name === name);
  if (!found) throw usageError(`unknown capability "${name}": the manifests declare ${known || 'none'}`);
  return found;
}
