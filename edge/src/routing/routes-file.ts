import type { z } from 'zod';
import { routesFileSchema } from './routes-schema';
import { resolveUpstreamUrl, upstream } from './upstream-url';
import type { UpstreamSpec } from './routing-table';
import type { RateLimitPolicies } from '../rate-limits/rate-limit-policy';
import type { RateLimitsSection } from '../rate-limits/rate-limits-schema';

/** What the routes file holds once validated: the monolith and the rate-limit classes. */
export interface RoutesFileSettings {
  monolith: UpstreamSpec;
  rateLimits?: RateLimitPolicies;
}

type Env = Readonly<Record<string, string | undefined>>;

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('') || '(file)';
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`);
}

/** Validates the routes file's text; every problem is reported at once, with where it is. */
export function parseRoutesFile(text: string, env: Env): { ok: true; settings: RoutesFileSettings } | { ok: false; errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`not valid JSON: ${(error as Error).message}`] };
  }
  if (json && typeof json === 'object' && 'capabilities' in json) {
    return { ok: false, errors: ['capabilities: capabilities are declared by manifests now, one <name>.json per capability in MANIFESTS_DIR (docs/decisions/0040-the-cutover-model.md)'] };
  }
  const parsed = routesFileSchema.safeParse(json);
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error) };
  const monolithUrl = resolveUpstreamUrl(parsed.data.monolith.url, env);
  if ('error' in monolithUrl) return { ok: false, errors: [`monolith.url: ${monolithUrl.error}`] };
  const rateLimits = parsed.data.rateLimits ? rateLimitPolicies(parsed.data.rateLimits) : undefined;
  return { ok: true, settings: { monolith: upstream(monolithUrl.url, parsed.data.monolith.timeouts), ...(rateLimits ? { rateLimits } : {}) } };
}

function rateLimitPolicies(section: RateLimitsSection): RateLimitPolicies {
  return { classes: Object.fromEntries(Object.entries(section.classes).map(([name, spec]) => [name, { name, ...spec }])) };
}
