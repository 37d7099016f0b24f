/**
 * The request-target an upstream receives: its base path (`http://legacy:8080/legacy`) and then the
 * canonical target exactly (http/request-target.ts). Nothing is re-parsed or re-escaped here: the
 * upstream gets the path the edge routed by, and the query as the client sent it. `OPTIONS *` stays `*`.
 */
export function upstreamPath(basePath: string, target: string): string {
  if (basePath === '' || target === '*') return target;
  const base = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  return `${base}${target}`;
}
