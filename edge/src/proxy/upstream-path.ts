import { parse as legacyParse } from 'node:url';

/**
 * The request-target sent upstream for a client's `req.url`, exactly as http-proxy 1.18.1 computes it
 * (`common.setupOutgoing`: `urlJoin(target.path, url.parse(req.url).path)`), quirks included, so that
 * moving off http-proxy changed nothing on the wire: the legacy parser's escaping and absolute-form
 * handling, repeated slashes collapsed in the path (not the query), a target base path prefixed.
 * A test compares this with http-proxy's own function over a corpus of odd URLs.
 *
 * Most URLs are plain origin-form paths the legacy parser and the join leave untouched; they are
 * returned as they are without parsing.
 */
export function upstreamPath(basePath: string, url: string): string {
  if (basePath === '' && isPlainPath(url)) return url;
  return urlJoin(basePath, legacyParse(url).path ?? '');
}

// Characters the legacy parser neither escapes nor treats specially in a path or query.
const PLAIN = /^\/[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*$/;

function isPlainPath(url: string): boolean {
  if (!PLAIN.test(url)) return false;
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  // urlJoin collapses `//` and rewrites `http:/` in the path: leave those to it.
  return !path.includes('//') && !path.includes(':/');
}

/** http-proxy's `common.urlJoin` for two parts, unchanged in behaviour. */
function urlJoin(first: string, last: string): string {
  const lastSegs = last.split('?');
  const path = [first, lastSegs.shift()!]
    .filter(Boolean)
    .join('/')
    .replace(/\/+/g, '/')
    .replace('http:/', 'http://')
    .replace('https:/', 'https://');
  return [path, ...lastSegs].join('?');
}
