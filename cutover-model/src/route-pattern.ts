/** One segment of a route pattern such as `/api/payments/:id/refunds` or `/api/auth/*`. */
export type PatternSegment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'rest' };

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

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
    segments.push({ kind: 'literal', value: part.toLowerCase() });
  }
  return { segments };
}

/** The pattern with parameter names erased: two routes with the same shape are duplicates. */
export function patternShape(segments: PatternSegment[]): string {
  return '/' + segments.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? ':' : '*')).join('/');
}
