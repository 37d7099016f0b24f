import { MatchersV3 } from '@pact-foundation/pact';

const { regex, string, integer, uuid, eachLike, fromProviderState } = MatchersV3;

/**
 * The shapes and formats the public API promises, as Pact matchers: a provider passes when its answer
 * has these shapes, whatever the values. Exact values appear only where clients branch on them
 * (statuses, error codes).
 */

/**
 * Several matchers that must all pass (pact-core's integration JSON takes an array). Needed because a
 * regex matcher alone stringifies what it checks: the number 19.99 would pass `^\d+(\.\d+)?$`.
 */
function allOf<T>(example: T, ...matchers: Array<Record<string, unknown>>): MatchersV3.Matcher<T> {
  return { 'pact:matcher:type': matchers, value: example } as unknown as MatchersV3.Matcher<T>;
}

/** A string (JSON type string) matching `pattern`. */
export const stringMatching = (pattern: string, example: string) =>
  allOf(example, { 'pact:matcher:type': 'type' }, { 'pact:matcher:type': 'regex', regex: pattern });

/** Money: a decimal string in major units, never a number ("19.99", "1000", "1.234"). */
export const DECIMAL_AMOUNT = '^\\d+(\\.\\d{1,3})?$';
export const decimalAmount = (example: string) => stringMatching(DECIMAL_AMOUNT, example);

export const currency = (example: string) => regex('^[A-Z]{3}$', example);

/** ISO 8601 UTC with milliseconds, as every side writes it. */
export const ISO_TIMESTAMP = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';
export const isoTimestamp = (example = '2026-01-31T12:00:00.000Z') =>
  allOf(example, { 'pact:matcher:type': 'type' }, { 'pact:matcher:type': 'timestamp', format: "yyyy-MM-dd'T'HH:mm:ss.SSSX" }, { 'pact:matcher:type': 'regex', regex: ISO_TIMESTAMP });

export const id = (example: string) => uuid(example);

export const email = (example: string) => regex('^[^@\\s]+@[^@\\s]+$', example);

/** An opaque bearer token (RFC 6750 b64token). */
export const bearerToken = (example: string) => regex('^[A-Za-z0-9._~+/-]+=*$', example);

/** The Authorization header of a request made with the token a provider state issued. */
export const bearerFromState = (exampleToken: string) => fromProviderState('Bearer ${token}', `Bearer ${exampleToken}`);

/** A path naming a resource the provider state created, e.g. `/api/payments/${paymentId}`. */
export const pathFromState = (expression: string, example: string) => fromProviderState(expression, example);

/** Pact regexes must match the whole value, parameters (charset) included. */
export const JSON_CONTENT_TYPE = { 'Content-Type': regex('^application/json(;.*)?$', 'application/json; charset=utf-8') };
export const PROBLEM_CONTENT_TYPE = { 'Content-Type': regex('^application/problem\\+json(;.*)?$', 'application/problem+json; charset=utf-8') };

const problemType = (code: string) => `urn:strangler:problem:${code.toLowerCase().replace(/_/g, '-')}`;

/** An application/problem+json body: the status and stable code exactly, the prose by type. */
export function problem(status: number, code: string, example: { title: string; detail: string }) {
  return {
    type: problemType(code),
    title: string(example.title),
    status,
    detail: string(example.detail),
    code,
  };
}

/** A 400 VALIDATION_FAILED problem that names the offending fields. */
export function validationProblem(example: { field: string; message: string }) {
  return {
    ...problem(400, 'VALIDATION_FAILED', { title: 'Request validation failed', detail: `${example.field}: ${example.message}` }),
    errors: eachLike({ field: string(example.field), message: string(example.message) }),
  };
}

export { eachLike, integer, string, regex };
