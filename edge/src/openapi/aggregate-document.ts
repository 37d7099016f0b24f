import type { OpenApiDocument } from '@strangler/kit';
import type { RoutesSnapshot } from '../routing/routes-source';

export const MONOLITH = 'monolith';

/** Each upstream's own document, as last fetched; undefined when it never answered. */
export type UpstreamDocuments = Record<string, OpenApiDocument | undefined>;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** A concrete path the routes table can match for an OpenAPI path template (`{id}` → one segment). */
const samplePath = (template: string) => template.replace(/\{[^}]+\}/g, 'x');

/**
 * The public API as clients of the edge see it, from the documents the upstreams serve: each
 * operation is taken from the upstream the routes table sends it to (a capability's service), and
 * from the monolith when that service has not answered or does not document it — the monolith is
 * what serves a capability while its flag is off, and the fallback when its service is down. Every
 * operation says where it came from (`x-upstream`), for teams planning the next extraction.
 * Component schemas are merged by name; the sides build them from the same definitions (the contract
 * suite fails when a service's document differs from the monolith's).
 */
export function aggregateDocument(routes: RoutesSnapshot, documents: UpstreamDocuments, info: { title: string; version: string }): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, Record<string, unknown>> = {};
  const used = new Set<string>();
  const take = (upstream: string, document: OpenApiDocument, template: string, method: string) => {
    const operation = document.paths[template]?.[method];
    if (!operation || typeof operation !== 'object') return false;
    (paths[template] ??= {})[method] = { ...(operation as object), 'x-upstream': upstream };
    used.add(upstream);
    return true;
  };
  const operations = new Set<string>();
  for (const document of Object.values(documents)) {
    for (const [template, item] of Object.entries(document?.paths ?? {})) {
      for (const method of Object.keys(item)) if (METHODS.has(method)) operations.add(`${method} ${template}`);
    }
  }
  for (const key of [...operations].sort()) {
    const [method = '', template = ''] = key.split(' ');
    const owner = routes.matcher.match(method.toUpperCase(), samplePath(template))?.capability.name ?? MONOLITH;
    const own = documents[owner];
    const monolith = documents[MONOLITH];
    if (!(own && take(owner, own, template, method)) && owner !== MONOLITH && monolith) take(MONOLITH, monolith, template, method);
  }
  for (const upstream of [...used].sort((a, b) => (a === MONOLITH ? 1 : b === MONOLITH ? -1 : a.localeCompare(b)))) {
    for (const [kind, entries] of Object.entries(documents[upstream]?.components ?? {})) {
      const merged = (components[kind] ??= {});
      for (const [name, value] of Object.entries(entries)) merged[name] ??= value;
    }
  }
  const missing = Object.keys(documents).filter((upstream) => !documents[upstream]);
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'The public API served through the edge, aggregated from the documents of the monolith and the extracted services.' +
        (missing.length > 0 ? ` Not answering when this was built: ${missing.join(', ')} (their operations are described by the monolith where it has them).` : ''),
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components,
  };
}
