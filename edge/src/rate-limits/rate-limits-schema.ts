import { z } from 'zod';

const CLASS_NAME = /^[a-z][a-z0-9-]{0,39}$/;

const limitClass = z.strictObject({
  /** Requests one client may make in the window. */
  limit: z.number().int().positive().max(1_000_000),
  windowSeconds: z.number().int().positive().max(86_400),
});

/**
 * The `rateLimits` section of the routes file: named route classes, each a limit per client per
 * window. `default` applies to every request no route names a class for (including everything the
 * monolith serves unmatched); a route takes another with `"rateLimit": "<class>"`.
 */
export const rateLimitsSchema = z
  .strictObject({
    $comment: z.string().optional(),
    classes: z.record(z.string().regex(CLASS_NAME, 'class names are lowercase words (default, login)'), limitClass),
  })
  .refine((section) => 'default' in section.classes, { message: 'classes must include "default" (what unclassified requests get)' });

/** A route's class, as written next to it. */
export const routeRateLimit = z.string().regex(CLASS_NAME, 'must name a class of rateLimits.classes').optional();

export type RateLimitsSection = z.infer<typeof rateLimitsSchema>;
