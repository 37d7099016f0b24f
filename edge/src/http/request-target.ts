/**
 * The one reading of a client's request-target that the whole edge uses: routing, read-your-writes,
 * metrics, its own endpoints and what the upstream receives (docs/decisions/0014-canonical-request-target.md).
 * Computed once per request by `canonicalTarget`; nothing else parses `req.url`.
 *
 * The canonical path is origin-form, ASCII only, with:
 * - repeated slashes collapsed (`//api//payments` → `/api/payments`): what a client whose base URL
 *   ends in `/` sends all the time, and what the upstreams would otherwise not route at all;
 * - percent-encoded unreserved characters decoded (`%61` → `a`) and every other escape in upper case,
 *   so one resource has one spelling;
 * - the case of the client kept: the edge matches routes case-insensitively, as the upstreams'
 *   express routers do, and forwards the path as sent, so ids keep their case;
 * - one trailing slash kept when the client sent one (the routers ignore it, and so does matching).
 * The query is passed on exactly as sent (the edge never routes by it).
 *
 * Refused, before anything routes: a fragment, a backslash (raw or `%5C`), an encoded slash (`%2F`),
 * dot segments (`.`, `..`, plain or percent-encoded), invalid or non-UTF-8 percent-encoding, control
 * bytes and NUL (raw or encoded), bytes outside visible ASCII, characters a path may not hold
 * (`"<>^\`{|}[]`), and targets other than origin-form, absolute-form (http/https) or `OPTIONS *`.
 */
export interface RequestTarget {
  /** The canonical path (`*` for `OPTIONS *`). */
  readonly path: string;
  /** The query as the client sent it, with its `?`, or ''. */
  readonly query: string;
}

export type TargetProblem =
  | 'fragment'
  | 'backslash'
  | 'encoded-slash'
  | 'dot-segment'
  | 'bad-percent-encoding'
  | 'control-character'
  | 'invalid-character'
  | 'unsupported-form';

export interface TargetRefusal {
  readonly refused: TargetProblem;
}

const ASTERISK: RequestTarget = Object.freeze({ path: '*', query: '' });
const ROOT: RequestTarget = Object.freeze({ path: '/', query: '' });

// Per character code below 128: what a path may hold as it is (RFC 3986 pchar without `%`, plus `/`).
const PATH_PLAIN = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/") PATH_PLAIN[c.charCodeAt(0)] = 1;
const UNRESERVED = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') UNRESERVED[c.charCodeAt(0)] = 1;

const SLASH = 0x2f;
const DOT = 0x2e;
const QUESTION = 0x3f;
const HASH = 0x23;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;

/** The canonical form of a request-target, or why it has none. */
export function canonicalTarget(method: string, raw: string): RequestTarget | TargetRefusal {
  if (raw.charCodeAt(0) === SLASH) return originForm(raw);
  if (raw === '*') return method === 'OPTIONS' ? ASTERISK : { refused: 'unsupported-form' };
  const scheme = /^https?:\/\//i.exec(raw);
  if (!scheme) return { refused: raw.includes('\\') ? 'backslash' : 'unsupported-form' };
  // Absolute-form (RFC 9112 §3.2.2: a server must accept it): the authority is dropped, the path and
  // query are read as in origin-form. The Host the upstream gets is the edge's to set anyway.
  const rest = raw.slice(scheme[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  if (authority === '' || !/^[A-Za-z0-9.\-:[\]]+$/.test(authority)) return { refused: authority.includes('\\') ? 'backslash' : 'invalid-character' };
  if (end === -1) return ROOT;
  const tail = rest.slice(end);
  return originForm(tail.charCodeAt(0) === SLASH ? tail : `/${tail}`);
}

export function isRefused(target: RequestTarget | TargetRefusal): target is TargetRefusal {
  return (target as TargetRefusal).refused !== undefined;
}

function originForm(raw: string): RequestTarget | TargetRefusal {
  let queryAt = -1;
  // The query: anything visible in ASCII except `#` (a fragment is never sent on the wire).
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw.charCodeAt(i);
    if (c === QUESTION && queryAt === -1) queryAt = i;
    else if (c === HASH) return { refused: 'fragment' };
    else if (c <= 0x20 || c >= 0x7f) return { refused: 'control-character' };
  }
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const query = queryAt === -1 ? '' : raw.slice(queryAt);
  if (isPlainPath(path)) return { path, query };
  const canonical = canonicalPath(path);
  if (typeof canonical !== 'string') return canonical;
  return { path: canonical, query };
}

/**
 * The common case, told apart in one pass: only plain path characters, no `//`, no dot segment.
 * Such a path is its own canonical form.
 */
function isPlainPath(path: string): boolean {
  let segmentStart = 0;
  for (let i = 1; i <= path.length; i += 1) {
    const c = i === path.length ? SLASH : path.charCodeAt(i);
    if (c === SLASH) {
      const length = i - segmentStart - 1;
      if (length === 0 && i !== path.length) return false; // `//`
      if (length === 1 && path.charCodeAt(i - 1) === DOT) return false;
      if (length === 2 && path.charCodeAt(i - 1) === DOT && path.charCodeAt(i - 2) === DOT) return false;
      segmentStart = i;
    } else if (c >= 0x80 || PATH_PLAIN[c] !== 1) {
      return false;
    }
  }
  return true;
}

function canonicalPath(path: string): string | TargetRefusal {
  const segments: string[] = [];
  const trailingSlash = path.length > 1 && path.charCodeAt(path.length - 1) === SLASH;
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    const segment = canonicalSegment(raw);
    if (typeof segment !== 'string') return segment;
    if (segment === '.' || segment === '..') return { refused: 'dot-segment' };
    segments.push(segment);
  }
  if (segments.length === 0) return '/';
  return `/${segments.join('/')}${trailingSlash ? '/' : ''}`;
}

const HEX = /^[0-9A-Fa-f]{2}$/;

function canonicalSegment(raw: string): string | TargetRefusal {
  let out = '';
  let utf8: number[] | undefined;
  const flushUtf8 = (): TargetRefusal | undefined => {
    if (!utf8) return undefined;
    const bytes = Uint8Array.from(utf8);
    utf8 = undefined;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { refused: 'bad-percent-encoding' };
    }
    for (const byte of bytes) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    return undefined;
  };
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw.charCodeAt(i);
    if (c === PERCENT) {
      const hex = raw.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return { refused: 'bad-percent-encoding' };
      const byte = parseInt(hex, 16);
      i += 2;
      if (byte >= 0x80) {
        (utf8 ??= []).push(byte);
        continue;
      }
      const problem = flushUtf8();
      if (problem) return problem;
      if (byte === SLASH) return { refused: 'encoded-slash' };
      if (byte === BACKSLASH) return { refused: 'backslash' };
      if (byte < 0x20 || byte === 0x7f) return { refused: 'control-character' };
      out += UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : `%${hex.toUpperCase()}`;
      continue;
    }
    const problem = flushUtf8();
    if (problem) return problem;
    if (c === BACKSLASH) return { refused: 'backslash' };
    if (c >= 0x80 || PATH_PLAIN[c] !== 1) return { refused: 'invalid-character' };
    out += raw[i];
  }
  return flushUtf8() ?? out;
}
