import { PayloadType, type ClientFeaturesResponse, type Variant } from 'unleash-client';

/** Where a capability is in its move to the service; see docs/decisions/0004-flag-model.md. */
export const STAGES = ['monolith', 'shadow', 'reads', 'live', 'complete'] as const;
export type Stage = (typeof STAGES)[number];

export type FeatureDefinition = ClientFeaturesResponse['features'][number];

type Payload = Variant['payload'];

function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

/** The stage a variant payload names (`{"stage":"reads"}`, type json), or undefined when it names none. */
export function stageFromPayload(payload: Payload | undefined): Stage | undefined {
  if (!payload || payload.type !== PayloadType.JSON || typeof payload.value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(payload.value);
    const stage = parsed && typeof parsed === 'object' ? (parsed as { stage?: unknown }).stage : undefined;
    return isStage(stage) ? stage : undefined;
  } catch {
    return undefined;
  }
}

/** Why a payload is not a stage payload, for validating flags files. */
export function stagePayloadProblem(payload: Payload | undefined): string | undefined {
  if (!payload) return 'has no payload';
  if (stageFromPayload(payload)) return undefined;
  return `payload must be json {"stage": ${STAGES.map((s) => `"${s}"`).join(' | ')}}, got ${payload.type} ${JSON.stringify(payload.value)}`;
}

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
