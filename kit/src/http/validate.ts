import type { z } from 'zod';
import { validationError } from '../errors/app-error';

/**
 * Parses untrusted input with a zod schema; on failure throws a 400 VALIDATION_FAILED naming every
 * offending field (`items[0].quantity`), so nothing downstream ever sees unvalidated data.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root = 'body'): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw validationError(
    result.error.issues.map((issue) => ({
      field: fieldName(issue.path, root),
      message: issue.message,
    })),
  );
}

function fieldName(path: ReadonlyArray<PropertyKey>, root: string): string {
  if (path.length === 0) return root;
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
