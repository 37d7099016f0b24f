import type { Context, Variant } from 'unleash-client';
import { MONOLITH_FALLBACK, type FlagClient } from './flag-source';
import { STAGES, stageFromPayload, stageOfDefinition, type FeatureDefinition, type Stage } from '@strangler/cutover-model';

export type EvaluationReason = 'not-ready' | 'missing' | 'disabled' | 'complete' | 'explicit-monolith' | 'in-rollout' | 'out-of-rollout' | 'error';

export interface CapabilityEvaluation {
  stage: Stage;
  inRollout: boolean;
  reason: EvaluationReason;
  error?: unknown;
}

const MONOLITH = (reason: EvaluationReason, error?: unknown): CapabilityEvaluation => ({
  stage: 'monolith',
  inRollout: false,
  reason,
  ...(error !== undefined ? { error } : {}),
});

// Definitions and payloads are never edited in place (a change replaces the objects), so what they
// declare is parsed once per object rather than once per request.
const declaredStages = new WeakMap<FeatureDefinition, Stage>();
const payloadStages = new WeakMap<object, Stage | null>();

function declaredStage(definition: FeatureDefinition): Stage {
  let stage = declaredStages.get(definition);
  if (stage === undefined) {
    stage = stageOfDefinition(definition);
    declaredStages.set(definition, stage);
  }
  return stage;
}

function payloadStage(payload: Variant['payload']): Stage | undefined {
  if (!payload || typeof payload !== 'object') return stageFromPayload(payload);
  let stage = payloadStages.get(payload);
  if (stage === undefined) {
    stage = stageFromPayload(payload) ?? null;
    payloadStages.set(payload, stage);
  }
  return stage ?? undefined;
}

const COMPLETE: CapabilityEvaluation = Object.freeze({ stage: 'complete', inRollout: true, reason: 'complete' });
const MONOLITH_BY_REASON = new Map<EvaluationReason, CapabilityEvaluation>(
  (['not-ready', 'missing', 'disabled', 'explicit-monolith'] as const).map((reason) => [reason, Object.freeze(MONOLITH(reason))]),
);
const monolith = (reason: EvaluationReason) => MONOLITH_BY_REASON.get(reason)!;

/**
 * Evaluates a capability's flag for one request with unleash-client itself (so stickiness is Unleash's
 * own bucketing). The context is only built, which may cost a session lookup, when the answer depends
 * on who is asking. Anything unexpected means the monolith serves: flags never cause an error response.
 */
export async function evaluateCapability(
  clientOf: () => FlagClient | undefined,
  flag: string,
  contextOf: () => Context | Promise<Context>,
): Promise<CapabilityEvaluation> {
  return evaluateCapabilityNow(clientOf, flag, contextOf);
}

/**
 * evaluateCapability, answering at once when nothing has to be waited for (the context came back
 * without a lookup, as it does for callers already seen): the request path does not pay for a promise
 * it does not need. After waiting for a context, the newest client evaluates (flags may have changed).
 */
export function evaluateCapabilityNow(
  clientOf: () => FlagClient | undefined,
  flag: string,
  contextOf: () => Context | Promise<Context>,
): CapabilityEvaluation | Promise<CapabilityEvaluation> {
  try {
    const client = clientOf();
    if (!client) return monolith('not-ready');
    const definition = client.getFeatureToggleDefinition(flag);
    if (!definition) return monolith('missing');
    if (!definition.enabled) return monolith('disabled');
    const declared = declaredStage(definition);
    if (declared === 'complete') return COMPLETE;
    if (declared === 'monolith') return monolith('explicit-monolith');
    const context = contextOf();
    if (!(context instanceof Promise)) return byVariant(client, flag, context, declared);
    return context.then(
      (resolved) => {
        try {
          return byVariant(clientOf() ?? client, flag, resolved, declared);
        } catch (error) {
          return MONOLITH('error', error);
        }
      },
      (error: unknown) => MONOLITH('error', error),
    );
  } catch (error) {
    return MONOLITH('error', error);
  }
}

// The answers are a handful of values: shared, frozen objects rather than one allocation per request.
const IN_ROLLOUT = new Map<Stage, CapabilityEvaluation>(STAGES.map((stage) => [stage, Object.freeze({ stage, inRollout: true, reason: 'in-rollout' as const })]));
const OUT_OF_ROLLOUT = new Map<Stage, CapabilityEvaluation>(STAGES.map((stage) => [stage, Object.freeze({ stage, inRollout: false, reason: 'out-of-rollout' as const })]));

function byVariant(client: FlagClient, flag: string, context: Context, declared: Stage): CapabilityEvaluation {
  const variant = client.getVariant(flag, context, MONOLITH_FALLBACK);
  if (variant.feature_enabled) return IN_ROLLOUT.get(payloadStage(variant.payload) ?? 'monolith')!;
  return OUT_OF_ROLLOUT.get(declared)!;
}
