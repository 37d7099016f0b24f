/** Which part of the edge a canonical path belongs to (see request-target.ts for the canonical form). */
export type Surface = 'health' | 'admin' | 'docs' | 'internal' | 'proxied';

const HEALTH = new Set(['/health/live', '/health/ready']);

/**
 * - `health`: the edge's liveness and readiness, answered by the edge on every listener;
 * - `admin`: `/_edge/*` and `/metrics`, answered by the edge on the listener that carries them (the
 *   admin port when there is one), never forwarded;
 * - `docs`: `/openapi.json` (the aggregated public API) and `/docs` (its page), answered by the edge
 *   on the public listener, never forwarded;
 * - `internal`: `/internal` and below, the sides' service-to-service endpoints: never forwarded from a
 *   client, whatever its spelling (the path is canonical, matched without case as the upstreams do);
 * - `proxied`: everything else.
 */
export function surfaceOf(path: string): Surface {
  // Every path of the edge's own starts with `/h`, `/m`, `/_`, `/i`, `/o` or `/d` (any case): most
  // proxied requests are told apart here without lower-casing.
  const second = path.charCodeAt(1);
  const letter = second | 0x20;
  if (second !== 0x5f /* _ */ && letter !== 0x68 /* h */ && letter !== 0x6d /* m */ && letter !== 0x69 /* i */ && letter !== 0x6f /* o */ && letter !== 0x64 /* d */)
    return 'proxied';
  const lower = path.toLowerCase();
  const bare = lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
  if (HEALTH.has(bare)) return 'health';
  if (bare === '/metrics' || bare === '/_edge' || bare.startsWith('/_edge/')) return 'admin';
  if (bare === '/openapi.json' || bare === '/docs' || bare.startsWith('/docs/')) return 'docs';
  if (bare === '/internal' || bare.startsWith('/internal/')) return 'internal';
  return 'proxied';
}
