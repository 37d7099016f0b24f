import { z } from 'zod';
import { rateLimitsSchema } from '../rate-limits/rate-limits-schema';

const timeouts = z
  .strictObject({
    connectMs: z.number().int().positive().optional(),
    responseMs: z.number().int().positive().optional(),
  })
  .optional();

/**
 * The routes file as written (before `${VAR}` interpolation): the monolith and the rate-limit classes.
 * Capabilities are declared by their manifests (MANIFESTS_DIR, decision 0040). Unknown keys are errors.
 */
export const routesFileSchema = z.strictObject({
  $comment: z.string().optional(),
  monolith: z.strictObject({ url: z.string().min(1), timeouts }),
  rateLimits: rateLimitsSchema.optional(),
});

export type RoutesFile = z.infer<typeof routesFileSchema>;
