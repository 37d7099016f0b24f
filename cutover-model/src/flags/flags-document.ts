import { z } from 'zod';
import { STAGES, type Stage } from '../stages';
import type { FlagsDocument } from './flag-definition';
import { namesAStage, stagePayloadProblem, stageVariant } from './stage-payload';

const payload = z.looseObject({ type: z.string(), value: z.string() });
const variant = z.looseObject({
  name: z.string().min(1),
  weight: z.number().int().min(0),
  payload: payload.optional(),
  stickiness: z.string().optional(),
});
const constraint = z.looseObject({ contextName: z.string().min(1), operator: z.string().min(1) });
const strategy = z.looseObject({
  name: z.string().min(1),
  parameters: z.record(z.string(), z.unknown()).default({}),
  constraints: z.array(constraint).default([]),
  variants: z.array(variant).optional(),
  segments: z.array(z.number()).optional(),
});
const feature = z.looseObject({
  name: z.string().min(1),
  enabled: z.boolean(),
  strategies: z.array(strategy),
  variants: z.array(variant).optional(),
});

/** A saved Unleash `GET /api/client/features` response: what the local flags file holds. */
export const flagsDocumentSchema = z
  .looseObject({
    version: z.number().int(),
    features: z.array(feature),
    segments: z.array(z.looseObject({ id: z.number(), constraints: z.array(constraint) })).optional(),
  })
  .superRefine((document, ctx) => {
    const seen = new Set<string>();
    document.features.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['features', i, 'name'], message: `duplicate flag ${f.name}` });
      seen.add(f.name);
      f.strategies.forEach((s, j) => {
        const where = ['features', i, 'strategies', j];
        if (s.name === 'flexibleRollout') {
          const rollout = Number(s.parameters.rollout);
          if (!Number.isFinite(rollout) || rollout < 0 || rollout > 100) {
            ctx.addIssue({ code: 'custom', path: [...where, 'parameters', 'rollout'], message: 'must be a percentage "0".."100"' });
          }
        }
        (s.variants ?? []).forEach((v, k) => {
          const problem = stageKeyProblem(v.payload);
          if (problem) ctx.addIssue({ code: 'custom', path: [...where, 'variants', k, 'payload'], message: problem });
        });
      });
      for (const issue of stageModelProblems(f)) ctx.addIssue({ code: 'custom', path: ['features', i, ...issue.path], message: issue.message });
    });
  });

type FeatureShape = z.infer<typeof feature>;

/** A capability's flag: named `strangler.*`, or naming a stage in any of its payloads. */
function isCapabilityFlag(f: FeatureShape): boolean {
  const payloads = [...f.strategies.flatMap((s) => s.variants ?? []), ...(f.variants ?? [])].map((v) => v.payload);
  return f.name.startsWith('strangler.') || payloads.some((p) => p !== undefined && stageKeyProblem(p) === undefined && namesAStage(p));
}

/**
 * The flag model (decision 0004) on a capability's flag: every variant carries a stage payload, and
 * every strategy that can turn the flag on carries its stage variant. Anything else would route some
 * users by no stage at all, which means `monolith` with no gate: a typo must not move a capability.
 */
function stageModelProblems(f: FeatureShape): Array<{ path: Array<string | number>; message: string }> {
  if (!isCapabilityFlag(f)) return [];
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  const check = (path: Array<string | number>, payload: { type: string; value: string } | undefined) => {
    const problem = stagePayloadProblem(payload);
    if (problem) problems.push({ path: [...path, 'payload'], message: `a capability flag's variant ${problem}` });
  };
  f.strategies.forEach((s, j) => {
    const variants = s.variants ?? [];
    // A misspelt stage there is already reported (stageKeyProblem); the rest of the model is checked here.
    variants.forEach((v, k) => (v.payload && stageKeyProblem(v.payload) ? undefined : check(['strategies', j, 'variants', k], v.payload)));
    if (variants.length === 0) problems.push({ path: ['strategies', j, 'variants'], message: `strategy ${s.name} has no stage variant: the users it selects would silently be on the monolith` });
  });
  (f.variants ?? []).forEach((v, k) => check(['variants', k], v.payload));
  if (f.enabled && f.strategies.length === 0 && (f.variants ?? []).length === 0) {
    problems.push({ path: ['enabled'], message: 'the flag is on but names no stage (give it a flexibleRollout strategy with a stage variant, or turn it off)' });
  }
  return problems;
}

/** A payload that mentions a stage must name a real one: a typo must not quietly mean "monolith". */
function stageKeyProblem(given: { type: string; value: string } | undefined): string | undefined {
  if (!given || given.type !== 'json') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(given.value);
  } catch {
    return 'json payload does not parse';
  }
  if (!parsed || typeof parsed !== 'object' || !('stage' in parsed)) return undefined;
  const stage = (parsed as { stage: unknown }).stage;
  return (STAGES as readonly unknown[]).includes(stage) ? undefined : `unknown stage ${JSON.stringify(stage)} (one of ${STAGES.join(', ')})`;
}

/** A flags file's text, validated: every problem reported at once, with where it is. */
export function parseFlagsDocument(text: string): { ok: true; document: FlagsDocument } | { ok: false; errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`not valid JSON: ${(error as Error).message}`] };
  }
  const parsed = flagsDocumentSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`),
    };
  }
  return { ok: true, document: parsed.data as FlagsDocument };
}

export interface CapabilityFlagSetting {
  capability: string;
  /** Defaults to `strangler.<capability>`. */
  flag?: string;
  enabled: boolean;
  stage: Stage;
  /** 0..100 */
  rollout: number;
}

/** A flags document in the decided flag model: one flexibleRollout strategy with one stage variant per capability. */
export function buildFlagsDocument(settings: CapabilityFlagSetting[]): FlagsDocument {
  return {
    version: 2,
    features: settings.map((s) => ({
      name: s.flag ?? `strangler.${s.capability}`,
      type: 'release',
      enabled: s.enabled,
      project: 'default',
      stale: false,
      impressionData: false,
      strategies: [
        {
          name: 'flexibleRollout',
          constraints: [],
          parameters: { rollout: String(s.rollout), stickiness: 'default', groupId: s.capability },
          variants: [stageVariant(s.stage)],
        },
      ],
      variants: [],
      dependencies: [],
    })),
  };
}
