/** Headers that describe one connection, not the message (RFC 9110 §7.6.1): never forwarded. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The hop-by-hop set for one message: the standard ones plus any the Connection header names. The
 * usual `Connection: keep-alive` (or close) names nothing new, and gets the shared standard set.
 */
export function hopByHopNames(connection: string | string[] | undefined): ReadonlySet<string> {
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return HOP_BY_HOP;
  let names: Set<string> | undefined;
  const values = Array.isArray(connection) ? connection : [connection];
  for (const value of values) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (!name || HOP_BY_HOP.has(name) || names?.has(name)) continue;
      names ??= new Set(HOP_BY_HOP);
      names.add(name);
    }
  }
  return names ?? HOP_BY_HOP;
}

/** The hop-by-hop names of a message given as raw headers (name, value, name, value…). */
export function hopByHopOfResponse(rawHeaders: string[]): ReadonlySet<string> {
  let connection: string | string[] | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    const value = rawHeaders[i + 1]!;
    connection = connection === undefined ? value : [...(Array.isArray(connection) ? connection : [connection]), value];
  }
  return hopByHopNames(connection);
}

/**
 * Calls `each(name, value, first)` for an upstream's raw response headers in arrival order, hop-by-hop
 * ones dropped, names lower-cased; `first` is false for a repeated name (several Set-Cookie lines stay
 * separate lines).
 */
export function forEachEndToEndHeader(rawHeaders: string[], each: (name: string, value: string, first: boolean) => void): void {
  const dropped = hopByHopOfResponse(rawHeaders);
  let seen: string[] | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (dropped.has(name)) continue;
    const first = seen === undefined || !seen.includes(name);
    if (first) (seen ??= []).push(name);
    each(name, rawHeaders[i + 1]!, first);
  }
}

/**
 * An upstream's raw response headers, hop-by-hop ones dropped, grouped by lower-cased name in arrival
 * order, so repeated headers (several Set-Cookie lines) stay separate lines.
 */
export function endToEndResponseHeaders(rawHeaders: string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  forEachEndToEndHeader(rawHeaders, (name, value, first) => {
    if (first) headers.set(name, [value]);
    else headers.get(name)!.push(value);
  });
  return headers;
}
