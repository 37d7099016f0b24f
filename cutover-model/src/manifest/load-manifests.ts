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

/** A manifest is a few kilobytes; anything this large is not one (and is not read: the edge reads on its event loop). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Reads the manifests directory; a directory that cannot be read is one problem, and so is each file too large to be a manifest. */
export function readManifestTexts(dir: string): { ok: true; texts: ManifestText[] } | { ok: false; problems: ManifestProblem[] } {
  try {
    const files = manifestFiles(dir);
    const problems: ManifestProblem[] = files.flatMap((file) => {
      const size = statSync(file).size;
      return size > MAX_MANIFEST_BYTES ? [{ file, field: '(file)', message: `is ${size} bytes; a manifest is at most ${MAX_MANIFEST_BYTES}` }] : [];
    });
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, texts: files.map((file) => ({ file, text: readFileSync(file, 'utf8') })) };
  } catch (error) {
    return { ok: false, problems: [{ file: dir, field: '(directory)', message: `cannot read the manifests directory: ${(error as Error).message}` }] };
  }
}

/**
 * Every capability manifest in `dir`, validated one by one and together: a manifest's name is its
 * file's stem, no two manifests share a name or a flag, no two routes claim the same requests (method, `*`, GET/HEAD) by one path
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
  const claimed = new Map<string, Claim[]>();
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
      const claims = claimed.get(shape) ?? [];
      claimed.set(shape, claims);
      for (const method of methods.includes('*') ? ['*'] : methods) {
        const claim: Claim = { method, capability, owner: `${file} routes.${index}` };
        const other = claims.find((earlier) => sameRequests(earlier, claim));
        if (other) problems.push({ file, capability, field: `routes.${index}`, message: `${method} ${route.path} is already routed by ${other.owner}` });
        else claims.push(claim);
      }
    });
  }
  // A writtenThrough route stays on the monolith: one a capability also routes would escape its fence.
  for (const { file, manifest } of manifests) {
    manifest.writtenThrough.forEach((route, index) => {
      const pattern = parsePattern(route.path);
      const claims = claimed.get('segments' in pattern ? patternShape(pattern.segments) : route.path) ?? [];
      const methods = routeMethods(route);
      const other = claims.find((claim) => (methods.includes('*') ? ['*'] : methods).some((method) => sameRequests(claim, { method, capability: '', owner: '' })));
      if (other) problems.push({ file, capability: manifest.name, field: `writtenThrough.${index}`, message: `${route.path} is routed by ${other.owner}: a writtenThrough route must be the monolith's` });
    });
  }
  return problems;
}

interface Claim {
  method: string;
  capability: string;
  owner: string;
}

/**
 * Two routes of one shape claim the same requests: the same method, or (across capabilities) `*` and
 * any method, or GET and HEAD (a GET route answers HEAD). Within one capability the edge's matcher
 * prefers the explicit list, and either way the request stays with that capability's flag.
 */
function sameRequests(a: Claim, b: Claim): boolean {
  if (a.method === b.method) return true;
  if (a.capability === b.capability) return false;
  return a.method === '*' || b.method === '*' || (a.method === 'HEAD' && b.method === 'GET') || (a.method === 'GET' && b.method === 'HEAD');
}
