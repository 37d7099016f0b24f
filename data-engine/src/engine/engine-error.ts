import { EntityError } from '../data/errors/entity-errors';

/** An engine failure as the one sentence the data CLI and the strangler CLI's gates both print. */
export function describeEngineError(error: unknown): string {
  if (error instanceof EntityError) return `cannot migrate ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
