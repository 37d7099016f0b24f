import { formatManifestProblem, manifestFlag, parseManifestTexts, routeMethods, type LoadedManifest, type ManifestProblem, type ManifestRoute, type ManifestText } from '@strangler/cutover-model';
import { parseRoutesFile } from './routes-file';
import { resolveUpstreamUrl, upstream } from './upstream-url';
import type { CapabilitySpec, RouteSpec, RoutingTable } from './routing-table';
import { unknownClassProblems } from '../rate-limits/rate-limit-policy';

export type RoutesParseResult = { ok: true; table: RoutingTable } | { ok: false; errors: string[] };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The routing table from the routes file (monolith, rate limits) and the capability manifests,
 * validated together: every problem at once, a manifest's naming its file, capability and field.
 */
export function buildRoutingTable(routesText: string, manifests: readonly ManifestText[], env: Env): RoutesParseResult {
  const routes = parseRoutesFile(routesText, env);
  // Only the field the edge uses: database URLs (and their credentials) need not be in its environment.
  const loaded = parseManifestTexts(manifests, { env, fields: ['service.url'] });
  const errors = routes.ok ? [] : [...routes.errors];
  if (!loaded.ok) errors.push(...loaded.problems.map(formatManifestProblem));
  if (!routes.ok || !loaded.ok) return { ok: false, errors };
  const problems: ManifestProblem[] = [];
  const capabilities = loaded.manifests.map((entry) => capabilitySpec(entry, env, problems));
  const classes = routes.settings.rateLimits ? new Set(Object.keys(routes.settings.rateLimits.classes)) : undefined;
  for (const { file, manifest } of loaded.manifests) {
    const named = manifest.routes.map((route, index) => ({ where: `routes.${index}`, rateLimit: route.rateLimit }));
    for (const { where, message } of unknownClassProblems(classes, named)) problems.push({ file, capability: manifest.name, field: where, message });
  }
  if (problems.length > 0) return { ok: false, errors: problems.map(formatManifestProblem) };
  return { ok: true, table: { ...routes.settings, capabilities } };
}

function capabilitySpec({ file, manifest }: LoadedManifest, env: Env, problems: ManifestProblem[]): CapabilitySpec {
  const name = manifest.name;
  const serviceUrl = resolveUpstreamUrl(manifest.service.url, env);
  if ('error' in serviceUrl) problems.push({ file, capability: name, field: 'service.url', message: serviceUrl.error });
  const shared = manifest.shadow?.ignore ?? [];
  const spec = (route: Omit<ManifestRoute, 'shadow'> & { shadow?: ManifestRoute['shadow'] }): RouteSpec => {
    const methods = routeMethods(route);
    return {
      capability: name,
      methods: methods.includes('*') ? '*' : [...new Set(methods)],
      pattern: route.path,
      ignore: [...shared, ...(route.shadow?.ignore ?? [])],
      ...(route.rateLimit !== undefined ? { rateLimit: route.rateLimit } : {}),
    };
  };
  return {
    name,
    flag: manifestFlag(manifest),
    service: upstream('url' in serviceUrl ? serviceUrl.url : '', manifest.service.timeouts),
    routes: manifest.routes.map(spec),
    writtenThrough: manifest.writtenThrough.map((route) => ({ ...spec(route), ignore: [] })),
  };
}
