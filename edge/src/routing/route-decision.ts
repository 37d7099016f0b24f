import { decideTarget, isSafeMethod, stageAllows, type Side as Target, type Stage } from '@strangler/cutover-model';
import type { EvaluationReason } from '../flags/capability-evaluator';
import type { BreakerState } from '../resilience/circuit-breaker';

export type Side = Target;

/**
 * Why a request goes where it goes: a closed set, stable across releases (access log `reason`, the
 * `reason` label of edge_requests_total, /_edge/decide). Retired codes are never reused.
 */
export const ROUTE_REASONS = [
  /** No capability's route: the monolith's own (a `writtenThrough` route included). */
  'unmatched',
  /** An operator's emergency stop: the monolith, whatever the flag says. */
  'emergency_stop',
  /** The capability's flag could not be read (flags not ready, flag missing, evaluation error): the monolith. */
  'flag_unavailable',
  /** The stage sends this kind of request to this side for everyone (a flag turned off reads as stage `monolith`). */
  'stage',
  /** The stage lets the rollout decide, and the caller is in it: the service. */
  'in_rollout',
  /** The stage lets the rollout decide, and the caller is not in it: the monolith. */
  'out_of_rollout',
  /** Read-your-writes: a read sent to the side that took the caller's recent write. */
  'pinned',
  /** The service's breaker lets nothing (or not this request) through: a read to the monolith, a write refused (503). */
  'breaker_open',
  /** The service gave no answer to a read that can be sent again whole: the monolith answers it. */
  'service_failed',
  /** The monolith gave no answer to a read pinned there that can be sent again whole: the side the stage names (the service) answers it. */
  'monolith_failed',
  /** The capability's write fence stands: the write is refused (503 WRITE_FENCED). */
  'write_fenced',
] as const;

export type RouteReason = (typeof ROUTE_REASONS)[number];

/** Everything the choice of side depends on, gathered by the caller (the proxy, the admin endpoints). */
export interface RouteFacts {
  /** The request is on a capability's route. */
  matched: boolean;
  /** Upper-case HTTP method (safe: GET, HEAD, OPTIONS). */
  method: string;
  /** The capability's stage and whether this caller is in its rollout, as the flag evaluated. */
  stage: Stage;
  inRollout: boolean;
  /** The flag could not be read (it then evaluates as stage `monolith`). */
  flagUnavailable: boolean;
  /** An emergency stop stands for the capability's flag. */
  emergencyStop: boolean;
  /** Read-your-writes: the side that took this caller's latest write to the capability within the window. */
  pin: Side | undefined;
  /** The service's breaker, or `refused` when it gave this request no permit (half-open with its probe out). */
  breaker: BreakerState | 'refused';
  /** Whether the shadow mirror takes one more comparison now (`shed` under load). */
  shadow: 'admitted' | 'shed';
  /** A write's fence: `raised` when one stands, or was raised since the write arrived. */
  fence: 'clear' | 'raised';
  /** The service was tried and gave no answer, and the request can be sent again whole. */
  serviceFailed: boolean;
  /** A read pinned to the monolith was tried there and gave no answer, and can be sent again whole: the pin is set aside. */
  monolithFailed: boolean;
}

const FLAG_UNAVAILABLE: ReadonlySet<EvaluationReason> = new Set(['not-ready', 'missing', 'error']);

/** The `flagUnavailable` fact of a flag evaluation: flags not ready, the flag missing, or its evaluation failed. */
export function isFlagUnavailable(reason: EvaluationReason): boolean {
  return FLAG_UNAVAILABLE.has(reason);
}

/**
 * Facts the proxy learns only when they matter are presumed so: it asks the breaker only when the
 * decision names the service, the shadow mirror only when it says mirror, the fence when the write
 * is about to be sent, and decides again with what it learned.
 */
export const PRESUMED: Pick<RouteFacts, 'breaker' | 'shadow' | 'fence' | 'serviceFailed' | 'monolithFailed'> = Object.freeze({
  breaker: 'closed',
  shadow: 'admitted',
  fence: 'clear',
  serviceFailed: false,
  monolithFailed: false,
});

export interface RouteDecision {
  /** The side that serves the request (refused: the side it was for). */
  side: Side;
  reason: RouteReason;
  /** Answered by the edge itself, retryable 503: `breaker_open` (SERVICE_UNAVAILABLE) or `write_fenced` (WRITE_FENCED). */
  refused: boolean;
  /** The monolith answers; the request is mirrored to the service and the answers compared. */
  mirror: boolean;
  /** A mirror the stage asks for and that does not happen: the caller's recent write, or load. */
  mirrorSkipped: 'recent_write' | 'shed' | undefined;
  /** A read-your-writes pin moved the request off the side its flag named (whatever came after). */
  pinned: boolean;
  /**
   * Where a read goes if its side gives no answer and it can be sent again whole: the monolith for a
   * read on the service; the service for a read a pin moved to the monolith off the service its stage
   * names (the pin is for freshness, never a reason to answer an error the service would not).
   */
  fallback: Side | undefined;
}

/**
 * Which side serves a request, and why: the stage's rule (decideTarget), then the caller's
 * read-your-writes pin (pinAllowed: a rollback takes every read off the service at once; a pin to the
 * monolith that got no answer there is set aside), then the service's breaker, then a failed
 * attempt on the service (a read goes to the monolith), then the write fence. A write never goes to the monolith when the service should take it (decision 0020): it is
 * refused instead. Pure: the same facts, the same decision.
 */
export function decideRoute(facts: RouteFacts): RouteDecision {
  const safe = isSafeMethod(facts.method);
  if (!facts.matched) return fenced(facts, safe, decision('monolith', 'unmatched'));
  if (facts.emergencyStop) return fenced(facts, safe, decision('monolith', 'emergency_stop'));
  if (facts.flagUnavailable) return fenced(facts, safe, decision('monolith', 'flag_unavailable'));

  const { stage } = facts;
  const rule = decideTarget(stage, facts.inRollout, facts.method);
  const byRollout = stageAllows(stage, 'service', safe) && stageAllows(stage, 'monolith', safe);
  let side = rule.target;
  let reason: RouteReason = byRollout ? (facts.inRollout ? 'in_rollout' : 'out_of_rollout') : 'stage';

  const pin = safe ? facts.pin : undefined;
  const recentWrite = pin !== undefined;
  let pinned = false;
  if (pin !== undefined && pin !== side && pinAllowed(stage, pin)) {
    pinned = true;
    if (pin === 'monolith' && facts.monolithFailed) {
      reason = 'monolith_failed';
    } else {
      side = pin;
      reason = 'pinned';
    }
  }

  if (side === 'service' && (facts.breaker === 'open' || facts.breaker === 'refused')) {
    if (!safe) return { ...decision('service', 'breaker_open'), pinned, refused: true };
    side = 'monolith';
    reason = 'breaker_open';
  }
  if (side === 'service' && safe && facts.serviceFailed) {
    side = 'monolith';
    reason = 'service_failed';
  }

  // The service may not have the caller's own recent write yet: comparing now would report the lag.
  let mirrorSkipped: RouteDecision['mirrorSkipped'];
  if (rule.mirror && recentWrite) mirrorSkipped = 'recent_write';
  else if (rule.mirror && side === 'monolith' && facts.shadow === 'shed') mirrorSkipped = 'shed';
  const mirror = rule.mirror && side === 'monolith' && mirrorSkipped === undefined;
  let fallback: Side | undefined;
  if (side === 'service' && safe) fallback = 'monolith';
  else if (reason === 'pinned' && side === 'monolith' && rule.target === 'service' && serviceMayAnswer(facts)) fallback = 'service';
  return fenced(facts, safe, { side, reason, refused: false, mirror, mirrorSkipped, pinned, fallback });
}

/**
 * Whether a read-your-writes pin may send a read to `pin` at `stage` (decision 0012). A pin to the
 * service only where the stage lets the service serve reads at all: a rollback takes every read off
 * it at once. A pin to the monolith at every stage: the monolith just took this caller's write (at
 * `complete` through a `writtenThrough` route such as checkout, which still writes the capability's
 * data there), so it holds the row the service may not have yet, and it is where every read falls back anyway.
 */
function pinAllowed(stage: Stage, pin: Side): boolean {
  return pin === 'monolith' || stageAllows(stage, pin, true);
}

/** Nothing known keeps the service from answering: its breaker lets requests through and it has not failed this one. */
function serviceMayAnswer(facts: RouteFacts): boolean {
  return facts.breaker !== 'open' && facts.breaker !== 'refused' && !facts.serviceFailed;
}

/** A write whose fence stands is refused, wherever it was going. */
function fenced(facts: RouteFacts, safe: boolean, chosen: RouteDecision): RouteDecision {
  if (safe || facts.fence !== 'raised') return chosen;
  return { ...chosen, reason: 'write_fenced', refused: true, mirror: false, mirrorSkipped: undefined, fallback: undefined };
}

function decision(side: Side, reason: RouteReason): RouteDecision {
  return { side, reason, refused: false, mirror: false, mirrorSkipped: undefined, pinned: false, fallback: undefined };
}
