import path from 'node:path';
import { ConfigError, databaseUrl, describeDatabaseUrl } from '@strangler/kit';
import {
  defaultManifestsDir,
  formatManifestProblem,
  loadManifests,
  resolveDatabaseUrls,
  type LoadedManifest,
  type ManifestProblem,
} from '@strangler/cutover-model';
import { loadMappingFile, MappingFileError } from '../declarative/load-mapping-file';
import type { Invariant } from '../invariants/invariant';
import type { EntityMapping } from '../mapping';
import type { SideName } from '../types';
import { checkCapabilityData } from './check-capability-data';
import type { Capability } from './capability';
import { loadExport, ModuleExportError } from './load-export';

/** The rule every deployable applies to DATABASE_URL: a mysql:// URL or a SQLite file path. */
const DATABASE_URL = databaseUrl('');

/** A capability as its manifest declares it: its data and the databases it moves between. */
export interface ConfiguredCapability extends Capability {
  /** The manifest it came from. */
  file: string;
  /** Database URLs, `${VAR:-default}` resolved against the environment. */
  databases: Record<SideName, string>;
}

/**
 * Manifests (or the mapping files and modules they name) that cannot be used: every problem, one
 * line each. A ConfigError, so every command treats it as the engine's other configuration errors.
 */
export class CapabilityConfigError extends ConfigError {
  constructor(readonly manifestProblems: readonly ManifestProblem[]) {
    super(manifestProblems.map(formatManifestProblem));
    this.name = 'CapabilityConfigError';
  }
}

export interface LoadCapabilitiesOptions {
  /** The manifests directory (default: the repository's manifests/). */
  dir?: string;
  /** For `${VAR:-default}` in the manifests' URLs. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Every capability of the manifests directory that moves data (a manifest with a `data` section),
 * with its mappings compiled (declarative files) or loaded (modules) and its invariants. All or
 * nothing: any problem in any manifest, mapping file or module throws CapabilityConfigError listing
 * them all, each naming its file, capability and field.
 */
export function loadCapabilities(options: LoadCapabilitiesOptions = {}): ConfiguredCapability[] {
  const env = options.env ?? {};
  // Only the fields the engine uses: the service's URL need not be in its environment.
  const loaded = loadManifests(options.dir ?? defaultManifestsDir(), { env, fields: ['databases.monolith.url', 'databases.service.url'] });
  if (!loaded.ok) throw new CapabilityConfigError(loaded.problems);
  const problems: ManifestProblem[] = [];
  const capabilities: ConfiguredCapability[] = [];
  for (const entry of loaded.manifests) {
    const capability = capabilityOf(entry, env, problems);
    if (capability) capabilities.push(capability);
  }
  if (problems.length) throw new CapabilityConfigError(problems);
  return capabilities;
}

export function findCapability<C extends Capability>(capabilities: readonly C[], name: string): C | undefined {
  return capabilities.find((capability) => capability.name === name);
}

function capabilityOf(entry: LoadedManifest, env: Readonly<Record<string, string | undefined>>, problems: ManifestProblem[]): ConfiguredCapability | undefined {
  const { manifest, file, dir } = entry;
  if (!manifest.data) return undefined;
  const at = (field: string, message: string, where = file): ManifestProblem => ({ file: where, capability: manifest.name, field, message });
  const before = problems.length;
  const mappings: EntityMapping[] = [];
  manifest.data.mappings.forEach((reference, i) => {
    try {
      if ('file' in reference) {
        const mappingFile = path.resolve(dir, reference.file);
        mappings.push(loadMappingFile(mappingFile, path.relative(process.cwd(), mappingFile) || mappingFile));
      } else {
        mappings.push(loadExport(reference.module, reference.export, dir, 'mapping'));
      }
    } catch (error) {
      problems.push(...referenceProblems(error, `data.mappings.${i}`, at));
    }
  });
  const invariants: Array<{ field: string; invariants: Invariant[] }> = [];
  manifest.data.invariants.forEach((reference, i) => {
    try {
      invariants.push({ field: `data.invariants.${i}`, invariants: loadExport(reference.module, reference.export, dir, 'invariants') });
    } catch (error) {
      problems.push(...referenceProblems(error, `data.invariants.${i}`, at));
    }
  });
  if (problems.length > before) return undefined;
  problems.push(...checkCapabilityData(manifest.name, mappings, invariants).map((problem) => at(problem.field, problem.message)));
  if (problems.length > before) return undefined;
  const databases = resolveDatabaseUrls(manifest, env);
  for (const side of ['monolith', 'service'] as const) {
    const checked = DATABASE_URL.safeParse(databases[side]);
    if (!checked.success) problems.push(at(`databases.${side}.url`, `${checked.error.issues[0]?.message ?? 'is not a database URL'} (resolved: ${describeDatabaseUrl(databases[side])})`));
  }
  if (problems.length > before) return undefined;
  return { name: manifest.name, file, mappings, invariants: invariants.flatMap((entry) => entry.invariants), databases };
}

function referenceProblems(error: unknown, field: string, at: (field: string, message: string, where?: string) => ManifestProblem): ManifestProblem[] {
  if (error instanceof MappingFileError) return error.problems.map((problem) => at(problem.field, problem.message, error.file));
  if (error instanceof ModuleExportError) return [at(`${field}.${error.field}`, error.message)];
  throw error;
}
