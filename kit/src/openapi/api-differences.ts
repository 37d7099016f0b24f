import type { OpenApiDocument } from './api-document';

/** Words for people, not for clients: two documents that differ only here serve the same API. */
const PROSE = new Set(['summary', 'description', 'tags', 'title']);

/** Prose is text; a property that happens to be called `description` or `title` is a schema (an object). */
const isProse = (key: string, value: unknown) =>
  PROSE.has(key) && (typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string')));

type Json = unknown;

/**
 * Where two documents describe the operations under `prefixes` differently in a way a client
 * would notice: an operation, parameter, status, header or content type one has and the other lacks,
 * or a schema that differs once every `$ref` is resolved (component names and prose do not count).
 * Each difference is a JSON-pointer-like path and the two values.
 */
export function apiDifferences(a: OpenApiDocument, b: OpenApiDocument, prefixes: string[]): string[] {
  const under = (document: OpenApiDocument) =>
    Object.fromEntries(Object.entries(document.paths).filter(([path]) => prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))));
  const differences: string[] = [];
  compare(resolve(under(a), a), resolve(under(b), b), '/paths', differences);
  return differences;
}

function resolve(value: Json, document: OpenApiDocument, seen: string[] = []): Json {
  if (Array.isArray(value)) return value.map((item) => resolve(item, document, seen));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, Json>;
  const ref = object.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    if (seen.includes(ref)) return { $recursive: ref };
    return resolve(at(document, ref), document, [...seen, ref]);
  }
  const out: Record<string, Json> = {};
  for (const [key, child] of Object.entries(object)) if (!isProse(key, child)) out[key] = resolve(child, document, seen);
  // Parameters are a list, but their order means nothing: key them by where and what they are.
  if (Array.isArray(out.parameters)) out.parameters = Object.fromEntries((out.parameters as Record<string, Json>[]).map((p) => [`${String(p.in)}:${String(p.name).toLowerCase()}`, p]));
  return out;
}

function at(document: OpenApiDocument, ref: string): Json {
  let node: Json = document;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, Json> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return node;
}

function compare(a: Json, b: Json, path: string, out: string[]): void {
  if (a === b) return;
  const objects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b);
  if (!objects) {
    out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const order = (list: Json[]) => (path.endsWith('/required') || path.endsWith('/enum') || path.endsWith('/type') ? [...list].map((v) => JSON.stringify(v)).sort() : list.map((v) => JSON.stringify(v)));
    if (JSON.stringify(order(a)) !== JSON.stringify(order(b))) out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    return;
  }
  const left = a as Record<string, Json>;
  const right = b as Record<string, Json>;
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    const where = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!(key in left)) out.push(`${where}: missing from the first`);
    else if (!(key in right)) out.push(`${where}: missing from the second`);
    else compare(left[key], right[key], where, out);
  }
}
