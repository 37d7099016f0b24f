import { z } from 'zod';

/**
 * Every error answer of the public API (errors/problem-details.ts): RFC 9457 problem+json with a
 * stable `code`. Extensions are allowed (a validation failure lists its `errors`), so the object is open.
 */
export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    requestId: z.string().optional(),
    errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
  });
