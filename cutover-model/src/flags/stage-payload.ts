import { createHash } from 'node:crypto';
import { isStage, STAGES, type Stage } from '../stages';
import { JSON_PAYLOAD, type FeatureDefinition, type FlagPayload } from './flag-definition';

/** The stage a variant payload names (`{"stage":"reads"}`, type json), or undefined when it names none. */
export function stageFromPayload(payload: FlagPayload | undefined): Stage | undefined {
  if (!payload || payload.type !== JSON_PAYLOAD || typeof payload.value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(payload.value);
    const stage = parsed && typeof parsed === 'object' ? (parsed as { stage?: unknown }).stage : undefined;
    return isStage(stage) ? stage : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a payload means to name a stage (a json object with a `stage` key), whether or not the stage is a real one. */
export function namesAStage(payload: FlagPayload | undefined): boolean {
  if (!payload || payload.type !== JSON_PAYLOAD) return false;
  try {
    const parsed: unknown = JSON.parse(payload.value);
    return !!parsed && typeof parsed === 'object' && 'stage' in parsed;
  } catch {
    return false;
  }
}

/** Why a payload is not a stage payload, for validating flags files. */
export function stagePayloadProblem(payload: FlagPayload | undefined): string | undefined {
  if (!payload) return 'has no payload';
  if (stageFromPayload(payload)) return undefined;
  return `payload must be json {"stage": ${STAGES.map((s) => `"${s}"`).join(' | ')}}, got ${payload.type} ${JSON.stringify(payload.value)}`;
}

/** The variant that carries a stage, as the flag model (decision 0004) writes it. */
export const stageVariant = (stage: Stage) => ({
  name: 'stage',
  weight: 1000,
  stickiness: 'default',
  payload: { type: JSON_PAYLOAD, value: JSON.stringify({ stage }) },
});

/**
 * The capability's stage as its definition states it: the first strategy variant naming a stage (the
 * flag model puts exactly one on the flexibleRollout strategy), else a flag-level variant; a disabled
 * or missing flag is at `monolith`.
 */
export function stageOfDefinition(definition: FeatureDefinition | undefined): Stage {
  if (!definition || !definition.enabled) return 'monolith';
  for (const strategy of definition.strategies ?? []) {
    for (const variant of strategy.variants ?? []) {
      const stage = stageFromPayload(variant.payload);
      if (stage) return stage;
    }
  }
  for (const variant of definition.variants ?? []) {
    const stage = stageFromPayload(variant.payload);
    if (stage) return stage;
  }
  return 'monolith';
}

/** The rollout percentage of the flag's first flexibleRollout strategy (0 when there is none). */
export function rolloutOfDefinition(definition: FeatureDefinition | undefined): number {
  const strategy = definition?.strategies?.find((s) => s.name === 'flexibleRollout');
  const rollout = Number(strategy?.parameters?.rollout ?? 0);
  return Number.isFinite(rollout) ? Math.min(100, Math.max(0, rollout)) : 0;
}

/** What a gate approves when `strangler` writes a flag: everything that decides who goes where. */
export interface ApprovedFlag {
  enabled: boolean;
  stage: Stage;
  percentage: number;
  stickiness: string;
  groupId: string;
  generation: number;
}

/**
 * The seal `strangler` writes beside a flag it wrote through its gates (the `flipApproval` parameter
 * of the flexibleRollout strategy, which unleash-client ignores): a digest of the state it approved.
 * A flag whose state no longer matches its seal was changed by hand (issue #13 §7: a stage raised in
 * the Unleash UI, `stickiness: random`, the environment switched off and on) without any gate.
 */
export function flagApproval(state: ApprovedFlag): string {
  const text = JSON.stringify([state.enabled, state.stage, state.percentage, state.stickiness, state.groupId, state.generation]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** How the edge sees a flag's provenance: its stickiness, and whether its state is the one a gate approved (null: never sealed). */
export function approvalOfDefinition(definition: FeatureDefinition | undefined): { stickiness: string | null; approved: boolean | null } {
  const strategy = definition?.strategies?.find((s) => s.name === 'flexibleRollout');
  const parameters = strategy?.parameters ?? {};
  const stickiness = typeof parameters.stickiness === 'string' ? parameters.stickiness : null;
  const seal = parameters.flipApproval;
  if (!definition || typeof seal !== 'string') return { stickiness, approved: null };
  const state: ApprovedFlag = {
    enabled: definition.enabled,
    stage: stageOfDefinition(definition),
    percentage: rolloutOfDefinition(definition),
    stickiness: stickiness ?? '',
    groupId: typeof parameters.groupId === 'string' ? parameters.groupId : '',
    generation: Number(parameters.flipGeneration ?? 0),
  };
  return { stickiness, approved: flagApproval(state) === seal };
}
