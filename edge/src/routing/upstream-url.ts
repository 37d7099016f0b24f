import { interpolateEnv } from '@strangler/cutover-model';
import type { UpstreamSpec } from './routing-table';

type Env = Readonly<Record<string, string | undefined>>;

/** An upstream base URL with `${VAR:-default}` resolved: the URL, or why it is not one. */
export function resolveUpstreamUrl(raw: string, env: Env): { url: string } | { error: string } {
  const interpolated = interpolateEnv(raw, env);
  if ('error' in interpolated) return interpolated;
  const url = interpolated.value.trim().replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) return { error: `${JSON.stringify(url)} is not an http(s) URL` };
  const parsed = new URL(url);
  if (parsed.search || parsed.hash || parsed.username) return { error: 'must be a base URL without query, fragment or credentials' };
  return { url };
}

export function upstream(url: string, timeouts: { connectMs?: number | undefined; responseMs?: number | undefined } | undefined): UpstreamSpec {
  return {
    url,
    ...(timeouts?.connectMs !== undefined ? { connectTimeoutMs: timeouts.connectMs } : {}),
    ...(timeouts?.responseMs !== undefined ? { responseTimeoutMs: timeouts.responseMs } : {}),
  };
}
