import { PayloadType } from 'unleash-client';
import { rolloutOfDefinition, STAGES, stageOfDefinition, type FeatureDefinition, type Stage } from '@strangler/edge/dist/flags/stage';

export { STAGES, type Stage };

/** Where a capability's flag stands, read exactly as the edge reads it (edge/src/flags/stage.ts). */
export interface FlagState {
  exists: boolean;
  enabled: boolean;
  /** The stage the edge routes by: `monolith` when the flag is disabled or missing. */
  stage: Stage;
  /** The rollout of the flexibleRollout strategy, kept while the flag is disabled. */
  percentage: number;
}

/** What a flip writes: enabled exactly when the stage is not `monolith`. */
export interface DesiredFlag {
  stage: Stage;
  percentage: number;
}

export const isStage = (value: string): value is Stage => (STAGES as readonly string[]).includes(value);

export function flagStateOf(definition: FeatureDefinition | undefined): FlagState {
  return {
    exists: definition !== undefined,
    enabled: definition?.enabled ?? false,
    stage: stageOfDefinition(definition),
    percentage: rolloutOfDefinition(definition),
  };
}

type StrategyDefinition = NonNullable<FeatureDefinition['strategies']>[number];
type VariantDefinition = NonNullable<StrategyDefinition['variants']>[number];

export const stageVariant = (stage: Stage): VariantDefinition => ({
  name: 'stage',
  weight: 1000,
  stickiness: 'default',
  payload: { type: PayloadType.JSON, value: JSON.stringify({ stage }) },
});

const namesAStage = (variant: VariantDefinition) => {
  if (variant.payload?.type !== PayloadType.JSON) return false;
  try {
    return 'stage' in (JSON.parse(variant.payload.value) as object);
  } catch {
    return false;
  }
};

/**
 * The flexibleRollout strategy of decision 0004 with the desired rollout and stage: the existing one's
 * constraints, other parameters and other variants kept, the stage variant replaced.
 */
export function rolloutStrategy<S extends Partial<StrategyDefinition>>(existing: S | undefined, groupId: string, desired: DesiredFlag): S & StrategyDefinition {
  const variants = (existing?.variants ?? []).filter((v) => !namesAStage(v));
  // Existing keys keep their place (the flags file is edited by people too); missing ones are added.
  const parameters: Record<string, unknown> = { ...(existing?.parameters ?? {}), rollout: String(desired.percentage) };
  parameters.stickiness ??= 'default';
  parameters.groupId ??= groupId;
  return {
    ...(existing ?? ({} as S)),
    name: 'flexibleRollout',
    constraints: existing?.constraints ?? [],
    parameters,
    variants: [stageVariant(desired.stage), ...variants],
  };
}

/**
 * After an edit, the flag must read back as what was asked, through the edge's own reading of it: a
 * flag shaped differently (an earlier strategy declaring another stage, say) is refused, not half-changed.
 */
export function readsBackAs(definition: FeatureDefinition, desired: DesiredFlag): string | undefined {
  const state = flagStateOf(definition);
  if (state.stage !== desired.stage) return `it would read as stage ${state.stage}, not ${desired.stage}`;
  if (state.percentage !== desired.percentage) return `it would read as ${state.percentage}%, not ${desired.percentage}%`;
  return undefined;
}
