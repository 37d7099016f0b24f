/**
 * A provider state handler: sets the state up through the provider's own API and returns the values
 * the interaction's request needs (`${token}`, `${paymentId}` … in the pact: fromProviderState).
 */
export type StateHandler = (params: unknown) => Promise<Record<string, string> | undefined>;
export type StateHandlers = Record<string, StateHandler>;

const paramsRecord = (params: unknown): Record<string, unknown> =>
  typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {};

/** A string parameter of a provider state, or the default the state documents. */
export function stringParam(params: unknown, name: string, fallback?: string): string {
  const value = paramsRecord(params)[name];
  if (typeof value === 'string') return value;
  if (value === undefined && fallback !== undefined) return fallback;
  throw new Error(`provider state parameter "${name}" must be a string (got ${JSON.stringify(value)})`);
}

/** An array parameter of a provider state, or the default the state documents. */
export function arrayParam<T>(params: unknown, name: string, fallback: T[]): T[] {
  const value = paramsRecord(params)[name];
  if (value === undefined) return fallback;
  if (!Array.isArray(value)) throw new Error(`provider state parameter "${name}" must be an array`);
  return value as T[];
}
