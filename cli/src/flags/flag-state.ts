import { flagApproval, namesAStage, rolloutOfDefinition, stageOfDefinition, stageVariant, type FeatureDefinition, type Stage, type StageSetting } from '@strangler/cutover-model';

/** Where a capability's flag stands, read exactly as the edge reads it (the model's flag codec). */
export interface FlagState {
  exists: boolean;
  enabled: boolean;
  /** The stage the edge routes by: `monolith` when the flag is disabled or missing. */
  stage: Stage;
  /** The rollout of the flexibleRollout strategy, kept while the flag is disabled. */
  percentage: number;
  /**
   * How many times `strangler` wrote this flag (the strategy's `flipGeneration` parameter, which the
   * edge ignores): a flip writes only if the flag is still what its gates judged, generation included,
   * and every write (a rollback's too, even one that changes nothing else) bumps it (decision 0019).
   */
  generation: number;
}

/** What a flip writes: enabled exactly when the stage is not `monolith`. */
export type DesiredFlag = StageSetting;

export function flagStateOf(definition: FeatureDefinition | undefined): FlagState {
  const generation = Number(definition?.strategies?.find((s) => s.name === 'flexibleRollout')?.parameters?.flipGeneration ?? 0);
  return {
    exists: definition !== undefined,
    enabled: definition?.enabled ?? false,
    stage: stageOfDefinition(definition),
    percentage: rolloutOfDefinition(definition),
    generation: Number.isSafeInteger(generation) && generation > 0 ? generation : 0,
  };
}

/** A flag read back as a one-line label: `live 50% (generation 7)`. */
export const describeFlagState = (state: FlagState): string =>
  `${state.stage === 'monolith' || state.stage === 'complete' ? state.stage : `${state.stage} ${state.percentage}%`} (generation ${state.generation})`;

/**
 * Compare-and-set (decision 0019): undefined when the flag is still what a flip read before its gates,
 * else why the flip must not write. A rollback passes no expectation: it always wins.
 */
export function movedSince(expected: FlagState | undefined, now: FlagState): string | undefined {
  if (!expected) return undefined;
  const same = expected.exists === now.exists && expected.enabled === now.enabled && expected.stage === now.stage && expected.percentage === now.percentage && expected.generation === now.generation;
  if (same) return undefined;
  return `the flag moved while this flip ran its gates: it read ${describeFlagState(expected)}, it is now ${describeFlagState(now)} (another flip or a rollback)`;
}

type StrategyDefinition = NonNullable<FeatureDefinition['strategies']>[number];

/**
 * The flexibleRollout strategy of decision 0004 with the desired rollout and stage: the existing one's
 * constraints, other parameters and other variants kept, the stage variant replaced.
 */
export function rolloutStrategy<S extends Partial<StrategyDefinition>>(existing: S | undefined, groupId: string, desired: DesiredFlag, generation: number): S & StrategyDefinition {
  const variants = (existing?.variants ?? []).filter((v) => !namesAStage(v.payload));
  // Existing keys keep their place (the flags file is edited by people too); missing ones are added.
  const parameters: Record<string, unknown> = { ...(existing?.parameters ?? {}), rollout: String(desired.percentage), flipGeneration: String(generation) };
  // The flag model's stickiness, whatever a hand edit left (issue #13 §7: `random` split one user's
  // requests between the sides, and flips kept it).
  parameters.stickiness = 'default';
  parameters.groupId = groupId;
  parameters.flipApproval = flagApproval({ enabled: desired.stage !== 'monolith', stage: desired.stage, percentage: desired.percentage, stickiness: 'default', groupId, generation });
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
