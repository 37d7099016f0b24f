import type { Side } from './sides';
import { audienceOf, isSafeMethod, STAGE_RULES, type Stage } from './stages';

export interface RoutingDecision {
  target: Side;
  /** Mirror the request to the service and compare (the monolith's answer is the one the client gets). */
  mirror: boolean;
}

/**
 * Which side serves a request, from the capability's stage, whether this user (or anonymous client)
 * is in the rollout, and the method; computed from STAGE_RULES:
 *
 * | stage    | in rollout, safe   | in rollout, unsafe | out of rollout |
 * | monolith | monolith           | monolith           | monolith       |
 * | shadow   | monolith + mirror  | monolith           | monolith       |
 * | reads    | service            | monolith           | monolith       |
 * | live     | service            | service            | monolith       |
 * | complete | service            | service            | service        |
 */
export function decideTarget(stage: Stage, inRollout: boolean, method: string): RoutingDecision {
  const safe = isSafeMethod(method);
  const audience = audienceOf(stage, safe);
  if (audience === 'everyone' || (audience === 'rollout' && inRollout)) return SERVICE;
  return STAGE_RULES[stage].mirrorReads && safe && inRollout ? MIRROR : MONOLITH;
}

/**
 * Whether the stage lets `side` serve this kind of request for anyone at all: what a caller's
 * read-your-writes pin may override (the percentage), and what it may not (the stage itself, so a
 * rollback to `monolith` or `shadow` takes every read off the service at once). The service may
 * serve when the audience is not `none`; the monolith when it is not `everyone`.
 *
 * | stage    | safe               | unsafe             |
 * | monolith | monolith           | monolith           |
 * | shadow   | monolith           | monolith           |
 * | reads    | monolith, service  | monolith           |
 * | live     | monolith, service  | monolith, service  |
 * | complete | service            | service            |
 */
export function stageAllows(stage: Stage, side: Side, safe: boolean): boolean {
  const audience = audienceOf(stage, safe);
  return side === 'service' ? audience !== 'none' : audience !== 'everyone';
}

// The three possible decisions, shared rather than made per request.
const SERVICE: RoutingDecision = Object.freeze({ target: 'service', mirror: false });
const MONOLITH: RoutingDecision = Object.freeze({ target: 'monolith', mirror: false });
const MIRROR: RoutingDecision = Object.freeze({ target: 'monolith', mirror: true });
