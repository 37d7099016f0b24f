import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatManifestProblem, loadManifests, manifestFlag, parseManifest, type LoadedManifest } from '@strangler/cutover-model';
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

/** What is wrong with the manifests in `manifestsDir`, each naming file, capability and field (none: all load). */
export function manifestProblemsIn(manifestsDir: string): string[] {
  const loaded = loadManifests(manifestsDir);
  return loaded.ok ? [] : loaded.problems.map(formatManifestProblem);
}

/**
 * Whether each capability's manifest declares data to move (a `data` section), as `strangler status`
 * shows it: undefined for a name the manifests do not declare, or when they do not load.
 */
export function dataDeclaredIn(manifestsDir: string): (capability: string) => boolean | undefined {
  const loaded = loadManifests(manifestsDir);
  const declared = new Map(loaded.ok ? loaded.manifests.map((entry) => [entry.manifest.name, entry.manifest.data !== undefined] as const) : []);
  return (capability) => declared.get(capability);
}

export function findCapability(capabilities: readonly CapabilityRef[], name: string | undefined): CapabilityRef {
  const known = capabilities.map((c) => c.name).join(', ');
  if (!name) throw usageError(`a capability is required: ${known}`);
  const found = capabilities.find((c) => c.name === name);
  if (!found) throw usageError(`unknown capability "${name}": the manifests declare ${known || 'none'}`);
  return found;
}

/**
 * The capability a rollback moves. A rollback is never refused for problems in the other manifests
 * (a bad edit of another capability's file, two files claiming one route: the edge keeps its last
 * good version meanwhile), only for its own file not loading: then every problem is said, as for any
 * command. The problems let past are returned, to be said.
 */
export function readCapabilityToRollBack(manifestsDir: string, name: string | undefined): { capability: CapabilityRef; problems: string[] } {
  const loaded = loadManifests(manifestsDir);
  if (loaded.ok || !name) return { capability: findCapability(readCapabilities(manifestsDir), name), problems: [] };
  const file = path.join(manifestsDir, `${name}.json`);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  const own = text === undefined ? undefined : parseManifest(text, file);
  if (!own?.ok || own.manifest.name !== name) return { capability: findCapability(readCapabilities(manifestsDir), name), problems: [] };
  const entry: LoadedManifest = { file, dir: manifestsDir, manifest: own.manifest };
  return { capability: { name, flag: manifestFlag(own.manifest), loaded: entry }, problems: loaded.problems.map(formatManifestProblem) };
}
