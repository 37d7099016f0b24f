import { z } from 'zod';
import { parsePattern } from './route-pattern';

const METHOD = /^[A-Za-z]+$/;
const CAPABILITY_NAME = /^[a-z][a-z0-9-]{0,49}$/;

const timeouts = z
  .strictObject({
    connectMs: z.number().int().positive().optional(),
    responseMs: z.number().int().positive().optional(),
  })
  .optional();

const method = z
  .string()
  .refine((value) => value === '*' || METHOD.test(value), { message: 'must be an HTTP method or *' })
  .transform((value) => value.toUpperCase());

const jsonPointer = z.string().refine((value) => value === '' || value.startsWith('/'), { message: 'must be a JSON pointer ("" or starting with /)' });

const route = z.strictObject({
  methods: z.union([method, z.array(method).min(1)], { error: 'must be an HTTP method, "*", or a non-empty list of methods' }),
  path: z.string().superRefine((value, ctx) => {
    const parsed = parsePattern(value);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
  }),
  shadow: z.strictObject({ ignore: z.array(jsonPointer).default([]) }).optional(),
});

const capability = z.strictObject({
  serviceUrl: z.string().min(1),
  flag: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be an Unleash flag name')
    .optional(),
  timeouts,
  routes: z.array(route).min(1, 'must list at least one route'),
  /**
   * Monolith routes that also write this capability's data (checkout pays in-process): they stay on
   * the monolith, but a write fence on this capability covers them too (decision 0018).
   */
  writtenThrough: z.array(route.omit({ shadow: true })).default([]),
});

/** The routes file as written (before `${VAR}` interpolation). Unknown keys are errors: a typo must not silently route to the monolith. */
export const routesFileSchema = z.strictObject({
  $comment: z.string().optional(),
  monolith: z.strictObject({ url: z.string().min(1), timeouts }),
  capabilities: z.record(z.string(), capability),
});

/** Capability names become metric labels and flag names: checked apart so they are reported alongside other problems. */
export function capabilityNameProblems(json: unknown): string[] {
  const capabilities = (json as { capabilities?: unknown } | null)?.capabilities;
  if (!capabilities || typeof capabilities !== 'object') return [];
  return Object.keys(capabilities)
    .filter((name) => !CAPABILITY_NAME.test(name))
    .map((name) => `capabilities.${name}: capability names are lowercase words (auth, payments)`);
}

export type RoutesFile = z.infer<typeof routesFileSchema>;
