/** Where a capability is in its move to the service; see docs/decisions/0004-flag-model.md and 0040. */
export const STAGES = ['monolith', 'shadow', 'reads', 'live', 'complete'] as const;
export type Stage = (typeof STAGES)[number];

export const isStage = (value: unknown): value is Stage => typeof value === 'string' && (STAGES as readonly string[]).includes(value);

/** Which users the service serves for a kind of request: nobody, the flag's rollout, or everyone. */
export type Audience = 'none' | 'rollout' | 'everyone';

export interface StageRule {
  /** Safe methods (GET, HEAD, OPTIONS). */
  reads: Audience;
  /** Unsafe methods. */
  writes: Audience;
  /** In-rollout reads are served by the monolith AND mirrored to the service, whose answer is compared. */
  mirrorReads: boolean;
  /** The service answers (or is compared on) requests about data the monolith writes: entering needs sync to-service. */
  serviceSeesMonolithData: boolean;
}

/**
 * What each stage means: the one table the edge's routing decision, the CLI's gates and the status
 * shares are computed from (decision 0040). Nothing else states a stage's meaning.
 */
export const STAGE_RULES: Readonly<Record<Stage, Readonly<StageRule>>> = Object.freeze({
  monolith: Object.freeze({ reads: 'none', writes: 'none', mirrorReads: false, serviceSeesMonolithData: false }),
  shadow: Object.freeze({ reads: 'none', writes: 'none', mirrorReads: true, serviceSeesMonolithData: true }),
  reads: Object.freeze({ reads: 'rollout', writes: 'none', mirrorReads: false, serviceSeesMonolithData: true }),
  live: Object.freeze({ reads: 'rollout', writes: 'rollout', mirrorReads: false, serviceSeesMonolithData: true }),
  complete: Object.freeze({ reads: 'everyone', writes: 'everyone', mirrorReads: false, serviceSeesMonolithData: true }),
} satisfies Record<Stage, StageRule>);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** The audience of this kind of request at this stage. */
export const audienceOf = (stage: Stage, safe: boolean): Audience => (safe ? STAGE_RULES[stage].reads : STAGE_RULES[stage].writes);

/** Whether the service takes any writes at this stage. */
export const serviceTakesWrites = (stage: Stage): boolean => STAGE_RULES[stage].writes !== 'none';

/** Whether the service answers any client at this stage (its answers are served, not only compared as in shadow). */
export const serviceAnswers = (stage: Stage): boolean => STAGE_RULES[stage].reads !== 'none' || serviceTakesWrites(stage);
