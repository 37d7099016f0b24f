/** One segment of a route pattern such as `/api/payments/:id/refunds` or `/api/auth/*`. */
export type PatternSegment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'rest' };

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
/** What a canonical request path holds as it is (edge/src/http/request-target.ts), `/` aside. */
const PLAIN = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Why a literal segment could never equal a segment of a canonical request path (the edge matches
 * only that form): a character a path may not hold as it is, or an escape the canonical form decodes
 * (unreserved) or refuses (slash, backslash, control bytes). Undefined: it can match.
 */
function uncanonical(part: string): string | undefined {
  for (let i = 0; i < part.length; i += 1) {
    const c = part[i]!;
    if (c !== '%') {
      if (!PLAIN.test(c)) return `"${part}": ${JSON.stringify(c)} is not allowed in a path (percent-encode it)`;
      continue;
    }
    const hex = part.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return `"${part}": invalid percent-encoded byte`;
    const byte = Number.parseInt(hex, 16);
    const decoded = String.fromCharCode(byte);
    if (UNRESERVED.test(decoded)) return `"${part}": percent-encoded ${JSON.stringify(decoded)} is never sent so (the edge decodes it); write it as is`;
    if (byte < 0x20 || byte === 0x7f || decoded === '/' || decoded === '\\') return `"${part}": percent-encoded byte %${hex} is refused by the edge`;
    i += 2;
  }
  return undefined;
}

/**
 * Parses a path pattern: literal segments, `:name` for exactly one segment, and a final `*` for the
 * rest of the path (zero or more segments, so `/api/auth/*` also covers `/api/auth`).
 */
export function parsePattern(pattern: string): { segments: PatternSegment[] } | { error: string } {
  if (!pattern.startsWith('/')) return { error: 'must start with /' };
  if (/[?#\s]/.test(pattern)) return { error: 'must be a path without query, fragment or spaces' };
  if (pattern === '/') return { segments: [] };
  const parts = pattern.replace(/\/$/, '').slice(1).split('/');
  const segments: PatternSegment[] = [];
  for (const [index, part] of parts.entries()) {
    if (part === '') return { error: 'must not contain empty segments (//)' };
    if (part === '*') {
      if (index !== parts.length - 1) return { error: '* is only allowed as the last segment' };
      segments.push({ kind: 'rest' });
      continue;
    }
    if (part.startsWith(':')) {
      const name = PARAM.exec(part)?.[1];
      if (!name) return { error: `"${part}" is not a valid parameter (:name)` };
      segments.push({ kind: 'param', name });
      continue;
    }
    if (/[:*]/.test(part)) return { error: `"${part}": : and * must be whole segments` };
    if (part === '.' || part === '..') return { error: 'must not contain . or .. segments' };
    const problem = uncanonical(part);
    if (problem) return { error: problem };
    segments.push({ kind: 'literal', value: part.toLowerCase() });
  }
  return { segments };
}

/** The pattern with parameter names erased: two routes with the same shape are duplicates. */
export function patternShape(segments: PatternSegment[]): string {
  return '/' + segments.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? ':' : '*')).join('/');
}
