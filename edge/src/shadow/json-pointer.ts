/** RFC 6901 JSON pointers, plus the `*` segment the routes file uses to mean "any one segment". */

export const WILDCARD = '*';

export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function childPointer(parent: string, segment: string | number): string {
  return `${parent}/${escapeSegment(String(segment))}`;
}

/** Segments of a pointer, still escaped: patterns and pointers are compared segment by segment as written. */
export function segmentsOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/');
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;
// Keys that are data, not schema: numbers, UUIDs, long hex or base64url-ish tokens.
const ID_LIKE = /^(?:[0-9]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z0-9_-]{24,})$/i;

/**
 * The pointer with array indexes and id-like object keys replaced by `*`: what differs at
 * `/payments/3/createdAt` on one request differs at `/payments/7/createdAt` on the next, and a map keyed
 * by payment id has a new key per request. Used both to learn noise and to bound metric labels.
 */
export function generalisePointer(pointer: string): string {
  return segmentsOf(pointer)
    .map((segment) => (ARRAY_INDEX.test(segment) || ID_LIKE.test(segment) ? WILDCARD : segment))
    .reduce((acc, segment) => `${acc}/${segment}`, '');
}

/**
 * Whether `pattern` covers `pointer`: every pattern segment equals the pointer's (or is `*`), and the
 * pattern is not longer. A pattern covers the whole subtree under it, so ignoring `/meta` ignores
 * `/meta/generatedAt` too. Non-pointer field names (`status`, `header:x`, `body`) match only exactly.
 */
export function pointerMatches(pattern: string, pointer: string): boolean {
  if (!isPointer(pattern) || !isPointer(pointer)) return pattern === pointer;
  const wanted = segmentsOf(pattern);
  const actual = segmentsOf(pointer);
  if (wanted.length > actual.length) return false;
  return wanted.every((segment, i) => segment === WILDCARD || segment === actual[i]);
}

export function isPointer(field: string): boolean {
  return field === '' || field.startsWith('/');
}

export function matchesAny(patterns: Iterable<string>, pointer: string): boolean {
  for (const pattern of patterns) if (pointerMatches(pattern, pointer)) return true;
  return false;
}
