import type { Stage } from './stage';

export type Target = 'monolith' | 'service';

export interface RoutingDecision {
  target: Target;
  /** Mirror the request to the service and compare (the monolith's answer is the one the client gets). */
  mirror: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Which side serves a request, from the capability's stage, whether this user (or anonymous client)
 * is in the rollout, and the method:
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
  switch (stage) {
    case 'complete':
      return SERVICE;
    case 'live':
      return inRollout ? SERVICE : MONOLITH;
    case 'reads':
      return inRollout && safe ? SERVICE : MONOLITH;
    case 'shadow':
      return inRollout && safe ? MIRROR : MONOLITH;
    case 'monolith':
      return MONOLITH;
  }
}

/**
 * Whether the stage lets `side` serve this kind of request for anyone at all: what a caller's
 * read-your-writes pin may override (the percentage), and what it may not (the stage itself, so a
 * rollback to `monolith` or `shadow` takes every read off the service at once).
 *
 * | stage    | safe               | unsafe             |
 * | monolith | monolith           | monolith           |
 * | shadow   | monolith           | monolith           |
 * | reads    | monolith, service  | monolith           |
 * | live     | monolith, service  | monolith, service  |
 * | complete | service            | service            |
 */
export function stageAllows(stage: Stage, side: Target, safe: boolean): boolean {
  switch (stage) {
    case 'complete':
      return side === 'service';
    case 'live':
      return true;
    case 'reads':
      return safe || side === 'monolith';
    case 'shadow':
    case 'monolith':
      return side === 'monolith';
  }
}

// The three possible decisions, shared rather than made per request.
const SERVICE: RoutingDecision = Object.freeze({ target: 'service', mirror: false });
const MONOLITH: RoutingDecision = Object.freeze({ target: 'monolith', mirror: false });
const MIRROR: RoutingDecision = Object.freeze({ target: 'monolith', mirror: true });
