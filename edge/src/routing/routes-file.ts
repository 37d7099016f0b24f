import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { interpolateEnv } from './interpolate-env';
import { parsePattern, patternShape } from './route-pattern';
import { capabilityNameProblems, routesFileSchema, type RoutesFile } from './routes-schema';
import type { CapabilitySpec, RoutingTable, UpstreamSpec } from './routing-table';

export type RoutesParseResult = { ok: true; table: RoutingTable } | { ok: false; errors: string[] };

type Env = Readonly<Record<string, string | undefined>>;

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('') || '(file)';
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`);
}

function resolveUrl(raw: string, where: string, env: Env, errors: string[]): string {
  const interpolated = interpolateEnv(raw, env);
  if ('error' in interpolated) {
    errors.push(`${where}: ${interpolated.error}`);
    return '';
  }
  const url = interpolated.value.trim().replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    errors.push(`${where}: ${JSON.stringify(url)} is not an http(s) URL`);
    return '';
  }
  const parsed = new URL(url);
  if (parsed.search || parsed.hash || parsed.username) errors.push(`${where}: must be a base URL without query, fragment or credentials`);
  return url;
}

function upstream(url: string, timeouts: RoutesFile['monolith']['timeouts']): UpstreamSpec {
  return {
    url,
    ...(timeouts?.connectMs !== undefined ? { connectTimeoutMs: timeouts.connectMs } : {}),
    ...(timeouts?.responseMs !== undefined ? { responseTimeoutMs: timeouts.responseMs } : {}),
  };
}

/** Validates a routes file's text; every problem is reported at once, with where it is. */
export function parseRoutesFile(text: string, env: Env): RoutesParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`not valid JSON: ${(error as Error).message}`] };
  }
  const parsed = routesFileSchema.safeParse(json);
  const nameProblems = capabilityNameProblems(json);
  if (!parsed.success || nameProblems.length > 0) return { ok: false, errors: [...nameProblems, ...(parsed.success ? [] : describeIssues(parsed.error))] };
  const file = parsed.data;
  const errors: string[] = [];
  const monolith = upstream(resolveUrl(file.monolith.url, 'monolith.url', env, errors), file.monolith.timeouts);
  const claimed = new Map<string, string>();
  const capabilities: CapabilitySpec[] = Object.entries(file.capabilities).map(([name, spec]) => {
    const where = `capabilities.${name}`;
    const routes = spec.routes.map((route, index) => {
      const methods = Array.isArray(route.methods) ? route.methods : [route.methods];
      const pattern = parsePattern(route.path);
      const shape = 'segments' in pattern ? patternShape(pattern.segments) : route.path;
      for (const method of methods.includes('*') ? ['*'] : methods) {
        const key = `${method} ${shape}`;
        const owner = claimed.get(key);
        if (owner) errors.push(`${where}.routes[${index}]: ${method} ${route.path} is already routed by ${owner}`);
        else claimed.set(key, `${where}.routes[${index}]`);
      }
      return {
        capability: name,
        methods: methods.includes('*') ? ('*' as const) : [...new Set(methods)],
        pattern: route.path,
        ignore: route.shadow?.ignore ?? [],
      };
    });
    const writtenThrough = spec.writtenThrough.map((route) => {
      const methods = Array.isArray(route.methods) ? route.methods : [route.methods];
      return { capability: name, methods: methods.includes('*') ? ('*' as const) : [...new Set(methods)], pattern: route.path, ignore: [] };
    });
    return {
      name,
      flag: spec.flag ?? `strangler.${name}`,
      writtenThrough,
      service: upstream(resolveUrl(spec.serviceUrl, `${where}.serviceUrl`, env, errors), spec.timeouts),
      routes,
    };
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, table: { monolith, capabilities } };
}

export async function readRoutesFile(filePath: string, env: Env): Promise<RoutesParseResult> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    return { ok: false, errors: [`cannot read ${filePath}: ${(error as Error).message}`] };
  }
  return parseRoutesFile(text, env);
}
