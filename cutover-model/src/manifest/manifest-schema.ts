import { z } from 'zod';
import { parsePattern } from '../route-pattern';

/** Capability names become metric labels, flag names and file names. */
export const CAPABILITY_NAME = /^[a-z][a-z0-9-]{0,49}$/;
/** Names the edge's metrics and documents already use for the monolith, a side, or no capability. */
const RESERVED_NAMES: ReadonlySet<string> = new Set(['none', 'monolith', 'service']);
const FLAG_NAME = /^[A-Za-z0-9._:-]{1,100}$/;
const METHOD = /^[A-Za-z]+$/;
const RATE_LIMIT_CLASS = /^[a-z][a-z0-9-]{0,39}$/;

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

const shadow = z.strictObject({ ignore: z.array(jsonPointer).default([]) });

/** A request pattern of a capability (the edge's routes-file route entry, unchanged). */
export const routeSchema = z.strictObject({
  methods: z.union([method, z.array(method).min(1)], { error: 'must be an HTTP method, "*", or a non-empty list of methods' }),
  path: z.string().superRefine((value, ctx) => {
    const parsed = parsePattern(value);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
  }),
  shadow: shadow.optional(),
  /** A rate-limit class of the edge's routes file (`rateLimits.classes`); none: `default`. */
  rateLimit: z.string().regex(RATE_LIMIT_CLASS, 'must name a class of rateLimits.classes').optional(),
});

const urlOnly = z.strictObject({ url: z.string().min(1) });

const moduleReference = z.strictObject({
  /** A module specifier; a relative one resolves from the manifest's directory. */
  module: z.string().min(1),
  export: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, 'must be an exported name'),
});

/** A declarative mapping file (path relative to the manifest), or a module exporting an EntityMapping. */
const mappingReference = z.union([z.strictObject({ file: z.string().min(1) }), moduleReference], {
  error: 'must be {"file": "<path>"} or {"module": "<specifier>", "export": "<name>"}',
});

/**
 * One capability, declared once (decision 0040): the file `<name>.json` of the manifests directory.
 * As written, before `${VAR:-default}` interpolation. Unknown keys are errors: a typo must not
 * silently route to the monolith.
 */
export const capabilityManifestSchema = z.strictObject({
  $comment: z.string().optional(),
  name: z
    .string()
    .regex(CAPABILITY_NAME, 'capability names are lowercase words (auth, payments)')
    .refine((value) => !RESERVED_NAMES.has(value), { message: 'is reserved: the edge labels unmatched requests "none" and the monolith "monolith"; sides are monolith and service' }),
  /** Defaults to `strangler.<name>`. */
  flag: z.string().regex(FLAG_NAME, 'must be an Unleash flag name').optional(),
  service: z.strictObject({ url: z.string().min(1), timeouts }),
  routes: z.array(routeSchema).min(1, 'must list at least one route'),
  /**
   * Monolith routes that also write this capability's data (checkout pays in-process): they stay on
   * the monolith, but a write fence on this capability covers them too (decision 0018).
   */
  writtenThrough: z.array(routeSchema.omit({ shadow: true })).default([]),
  /** JSON pointers the shadow comparison ignores on every route of the capability. */
  shadow: shadow.optional(),
  databases: z.strictObject({ monolith: urlOnly, service: urlOnly }),
  /** The data the capability moves; absent: none. Mappings are listed parents before children. */
  data: z
    .strictObject({
      mappings: z.array(mappingReference).min(1, 'must list at least one mapping'),
      invariants: z.array(moduleReference).default([]),
    })
    .optional(),
});

export type CapabilityManifest = z.infer<typeof capabilityManifestSchema>;
export type ManifestRoute = CapabilityManifest['routes'][number];
export type MappingReference = NonNullable<CapabilityManifest['data']>['mappings'][number];
export type ModuleReference = NonNullable<CapabilityManifest['data']>['invariants'][number];

/** The flag a capability is moved by. */
export const manifestFlag = (manifest: Pick<CapabilityManifest, 'name' | 'flag'>): string => manifest.flag ?? `strangler.${manifest.name}`;

/** A route's methods as a list ('*' stays alone). */
export const routeMethods = (route: Pick<ManifestRoute, 'methods'>): string[] => (Array.isArray(route.methods) ? route.methods : [route.methods]);
