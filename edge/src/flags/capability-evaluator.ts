import type { Context } from 'unleash-client';
import { MONOLITH_FALLBACK, type FlagClient } from './flag-source';
import { stageFromPayload, stageOfDefinition, type Stage } from './stage';

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

/**
 * Evaluates a capability's flag for one request with unleash-client itself (so stickiness is Unleash's
 * own bucketing). The context is only built, which may cost a session lookup, when the answer depends
 * on who is asking. Anything unexpected means the monolith serves: flags never cause an error response.
 */
export async function evaluateCapability(
  clientOf: () => FlagClient | undefined,
  flag: string,
  contextOf: () => Promise<Context>,
): Promise<CapabilityEvaluation> {
  try {
    const client = clientOf();
    if (!client) return MONOLITH('not-ready');
    const definition = client.getFeatureToggleDefinition(flag);
    if (!definition) return MONOLITH('missing');
    if (!definition.enabled) return MONOLITH('disabled');
    const declared = stageOfDefinition(definition);
    if (declared === 'complete') return { stage: 'complete', inRollout: true, reason: 'complete' };
    if (declared === 'monolith') return MONOLITH('explicit-monolith');
    const context = await contextOf();
    // The flags may have been reloaded while the context was being resolved: evaluate with the newest.
    const variant = (clientOf() ?? client).getVariant(flag, context, MONOLITH_FALLBACK);
    if (variant.feature_enabled) return { stage: stageFromPayload(variant.payload) ?? 'monolith', inRollout: true, reason: 'in-rollout' };
    return { stage: declared, inRollout: false, reason: 'out-of-rollout' };
  } catch (error) {
    return MONOLITH('error', error);
  }
}
