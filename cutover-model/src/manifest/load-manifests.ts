import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parsePattern, patternShape } from '../route-pattern';
import { manifestFlag, routeMethods, type CapabilityManifest } from './manifest-schema';
import type { ManifestProblem } from './manifest-problem';
import { unresolvedFields, type InterpolatedField } from './manifest-urls';
import { parseManifest } from './parse-manifest';

export interface LoadedManifest {
  /** The manifest's path (the directory joined with its file name). */
  file: string;
  /** Its directory: relative mapping files and module specifiers resolve from here. */
  dir: string;
  manifest: CapabilityManifest;
}

export type ManifestLoad = { ok: true; manifests: LoadedManifest[] } | { ok: false; problems: ManifestProblem[] };

/** A manifest file as read: its path and text. */
export interface ManifestText {
  file: string;
  text: string;
}

export interface LoadOptions {
  /** Check that every `${VAR}` resolves against this environment (an unset one without default is a problem). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Which `${VAR}` fields to check against `env`: the ones this reader uses (default: all of them). */
  fields?: readonly InterpolatedField[];
}

/** The manifests of a directory: its `*.json` files (not dotfiles, not subdirectories), sorted by name. */
export function manifestFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
    .sort()
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile());
}

/** Reads the manifests directory; a directory that cannot be read is one problem. */
export function readManifestTexts(dir: string): { ok: true; texts: ManifestText[] } | { ok: false; problems: ManifestProblem[] } {
  try {
    return { ok: true, texts: manifestFiles(dir).map((file) => ({ file, text: readFileSync(file, 'utf8') })) };
  } catch (error) {
    return { ok: false, problems: [{ file: dir, field: '(directory)', message: `cannot read the manifests directory: ${(error as Error).message}` }] };
  }
}

/**
 * Every capability manifest in `dir`, validated one by one and together: a manifest's name is its
 * file's stem, no two manifests share a name or a flag, no two routes claim the same method and path
 * shape. Every problem is reported at once; any problem means none is returned.
 */
export function loadManifests(dir: string, options: LoadOptions = {}): ManifestLoad {
  const read = readManifestTexts(dir);
  return read.ok ? parseManifestTexts(read.texts, options) : read;
}

/** loadManifests over texts already read (what a watcher keeps as the last good version). */
export function parseManifestTexts(texts: readonly ManifestText[], options: LoadOptions = {}): ManifestLoad {
  const problems: ManifestProblem[] = [];
  const manifests: LoadedManifest[] = [];
  for (const { file, text } of texts) {
    const parsed = parseManifest(text, file);
    if (!parsed.ok) problems.push(...parsed.problems);
    else manifests.push({ file, dir: path.dirname(file), manifest: parsed.manifest });
  }
  problems.push(...crossFileProblems(manifests));
  if (options.env) {
    for (const { file, manifest } of manifests) {
      for (const unresolved of unresolvedFields(manifest, options.env, options.fields)) problems.push({ file, capability: manifest.name, ...unresolved });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, manifests };
}

function crossFileProblems(manifests: readonly LoadedManifest[]): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const names = new Map<string, string>();
  const flags = new Map<string, string>();
  const claimed = new Map<string, string>();
  for (const { file, manifest } of manifests) {
    const capability = manifest.name;
    const stem = path.basename(file, '.json');
    if (stem !== capability) problems.push({ file, capability, field: 'name', message: `must be the file's name without .json ("${stem}")` });
    const sameName = names.get(capability);
    if (sameName) problems.push({ file, capability, field: 'name', message: `capability ${capability} is already declared by ${sameName}` });
    else names.set(capability, file);
    const flag = manifestFlag(manifest);
    const sameFlag = flags.get(flag);
    if (sameFlag) problems.push({ file, capability, field: 'flag', message: `flag ${flag} is already the flag of ${sameFlag}` });
    else flags.set(flag, `${file} (capability ${capability})`);
    manifest.routes.forEach((route, index) => {
      const pattern = parsePattern(route.path);
      const shape = 'segments' in pattern ? patternShape(pattern.segments) : route.path;
      const methods = routeMethods(route);
      for (const method of methods.includes('*') ? ['*'] : methods) {
        const key = `${method} ${shape}`;
        const owner = claimed.get(key);
        if (owner) problems.push({ file, capability, field: `routes.${index}`, message: `${method} ${route.path} is already routed by ${owner}` });
        else claimed.set(key, `${file} routes.${index}`);
      }
    });
  }
  return problems;
}
