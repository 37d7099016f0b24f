/**
 * Redaction for mismatch samples. Samples are served over HTTP (GET /_edge/mismatches) and end up in
 * tickets and chat, so secrets are blanked by name wherever they appear and emails are masked.
 */

export const REDACTED = '[redacted]';

const SECRET_NAME = /pass(?:word|wd)?|secret|token|authori[sz]ation|cookie|api[-_]?key|credential|private[-_]?key|signature|session|idempotency|x-admin/i;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;
// `token=abc`, `"password": "x"`, `Bearer eyJ…` inside free text (form bodies, HTML, log-like strings).
const SECRET_ASSIGNMENT = /((?:pass(?:word|wd)?|secret|token|api[-_]?key|session(?:id)?|cookie|authori[sz]ation)["']?\s*[:=]\s*["']?)[^"'&;,\s}]+/gi;
const CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const MAX_STRING = 512;
const MAX_SAMPLE_VALUE = 2048;
const MAX_DEPTH = 16;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** `ada.lovelace@example.com` → `a***@example.com`: enough to recognise a pattern, not a person. */
export function maskEmails(text: string): string {
  return text.replace(EMAIL, '$1***@$2');
}

/** Free text with emails masked and secret-looking assignments and credentials blanked. */
export function redactText(text: string): string {
  return maskEmails(text).replace(CREDENTIAL, `$1 ${REDACTED}`).replace(SECRET_ASSIGNMENT, `$1${REDACTED}`);
}

function redactString(text: string): string {
  const masked = redactText(text);
  return masked.length > MAX_STRING ? `${masked.slice(0, MAX_STRING)}…(${masked.length - MAX_STRING} more chars)` : masked;
}

/** A deep copy of a JSON value with secret-named fields blanked and emails masked in every string. */
export function redactJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redactJson(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretName(key) ? REDACTED : redactJson(item, depth + 1);
  }
  return copy;
}

/**
 * The value found at a JSON pointer, redacted; blanked entirely when any segment of the path names a
 * secret. Other fields (`status`, `header:set-cookie` = present/absent, `body` previews) are only
 * redacted by content.
 */
export function redactAt(field: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  const secretPath = field.startsWith('/') && field.split('/').some((segment) => segment !== '' && isSecretName(segment));
  return secretPath ? REDACTED : capSize(redactJson(value));
}

/** A whole subtree missing on one side would otherwise put a megabyte into every sample. */
function capSize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const json = JSON.stringify(value);
  return json.length > MAX_SAMPLE_VALUE ? `${json.slice(0, MAX_SAMPLE_VALUE)}…(${json.length - MAX_SAMPLE_VALUE} more chars)` : value;
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const copy: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (isSecretName(name)) copy[name] = REDACTED;
    else copy[name] = Array.isArray(value) ? value.map(redactString) : redactString(value);
  }
  return copy;
}

/** A path + query with secret-named query parameters blanked and emails masked. */
export function redactUrl(pathAndQuery: string): string {
  const queryAt = pathAndQuery.indexOf('?');
  if (queryAt < 0) return redactText(pathAndQuery);
  const params = new URLSearchParams(pathAndQuery.slice(queryAt + 1));
  const redacted = new URLSearchParams();
  for (const [key, value] of params) redacted.append(key, isSecretName(key) ? REDACTED : maskEmails(value));
  return `${redactText(pathAndQuery.slice(0, queryAt))}?${redacted.toString()}`;
}
