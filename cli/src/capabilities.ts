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

export function findCapability(capabilities: readonly CapabilityRef[], name: string | undefined): CapabilityRef {
  const known = capabilities.map((c) => c.name).join(', ');
  if (!name) throw usageError(`a capability is required: ${known}`);
  const found = capabilities.find((c) => c.name === name);
  if (!found) throw usageError(`unknown capability "${name}": the manifests declare ${known || 'none'}`);
  return found;
}

/**
 * The capability a rollback moves. A rollback is never refused for another capability's bad manifest
 * (the edge keeps its last good version of that one): its own manifest must load, and the problems of
 * the others are returned, to be said. A problem with its own file, or the directory, refuses it.
 */
export function readCapabilityToRollBack(manifestsDir: string, name: string | undefined): { capability: CapabilityRef; problems: string[] } {
  const loaded = loadManifests(manifestsDir);
  if (loaded.ok || !name) return { capability: findCapability(readCapabilities(manifestsDir), name), problems: [] };
  const file = path.join(manifestsDir, `${name}.json`);
  const own = loaded.problems.filter((p) => p.file === file || p.file === manifestsDir || p.capability === name);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  const parsed = own.length === 0 && text !== undefined ? parseManifest(text, file) : undefined;
  if (!parsed?.ok) return { capability: findCapability(readCapabilities(manifestsDir), name), problems: [] };
  const entry: LoadedManifest = { file, dir: manifestsDir, manifest: parsed.manifest };
  return { capability: { name: parsed.manifest.name, flag: manifestFlag(parsed.manifest), loaded: entry }, problems: loaded.problems.map(formatManifestProblem) };
}
