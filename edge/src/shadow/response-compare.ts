import { diffJson, valueAt } from './json-diff';
import { bodyPreview, headerValue, type ResponseBody } from './response-body';

export interface ComparableResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: ResponseBody;
}

/** One differing field: `status`, `header:<name>`, `body` (the body as a whole) or a JSON pointer. */
export interface Difference {
  field: string;
  left: unknown;
  right: unknown;
}

export const BODY_FIELD = 'body';

/** Headers whose presence matters to a client but whose values are per-response (cookies, challenges). */
const PRESENCE_HEADERS = ['set-cookie', 'www-authenticate'];

/** `application/json; charset=utf-8` → `application/json`: the essence is the contract; parameter
 * spelling (charset case, spacing, a missing default charset) differs between frameworks. */
function mediaType(value: string | undefined): string | undefined {
  return value?.split(';')[0]?.trim().toLowerCase();
}

function compareHeaders(left: ComparableResponse, right: ComparableResponse): Difference[] {
  const differences: Difference[] = [];
  const leftType = mediaType(headerValue(left.headers, 'content-type'));
  const rightType = mediaType(headerValue(right.headers, 'content-type'));
  if (leftType !== rightType) differences.push({ field: 'header:content-type', left: leftType ?? null, right: rightType ?? null });
  for (const name of PRESENCE_HEADERS) {
    const inLeft = headerValue(left.headers, name) !== undefined;
    const inRight = headerValue(right.headers, name) !== undefined;
    if (inLeft !== inRight) differences.push({ field: `header:${name}`, left: inLeft ? 'present' : 'absent', right: inRight ? 'present' : 'absent' });
  }
  return differences;
}

function compareBodies(left: ResponseBody, right: ResponseBody): Difference[] {
  if (left.kind === 'truncated' || right.kind === 'truncated') return [];
  if (left.kind === 'json' && right.kind === 'json') {
    return diffJson(left.value, right.value).map((pointer) => ({
      field: pointer === '' ? BODY_FIELD : pointer,
      left: valueAt(left.value, pointer),
      right: valueAt(right.value, pointer),
    }));
  }
  if (left.kind === 'bytes' && right.kind === 'bytes' && left.bytes.equals(right.bytes)) return [];
  return [{ field: BODY_FIELD, left: bodyPreview(left), right: bodyPreview(right) }];
}

/**
 * Every difference a client could notice between two answers to the same request: the status, the
 * content type, whether a cookie or an auth challenge came back, and the body. Bodies are compared
 * only when the statuses agree: a 404 problem document against a 200 resource is one difference,
 * `status`, not twenty.
 */
export function compareResponses(left: ComparableResponse, right: ComparableResponse): Difference[] {
  if (left.status !== right.status) {
    return [{ field: 'status', left: left.status, right: right.status }, ...compareHeaders(left, right)];
  }
  return [...compareHeaders(left, right), ...compareBodies(left.body, right.body)];
}

/** Whether the body could not be compared (cut at the capture limit). */
export function bodySkipped(left: ComparableResponse, right: ComparableResponse): boolean {
  return left.body.kind === 'truncated' || right.body.kind === 'truncated';
}
