import type { Direction } from './sides';
import { serviceTakesWrites, STAGE_RULES, type Audience, type Stage } from './stages';

/** A capability's flag as a gate sees it: its stage and rollout percentage. */
export interface StageSetting {
  stage: Stage;
  percentage: number;
}

/** One thing that must hold before a stage change is written (docs/decisions/0009-stage-gates.md). */
export type GateCheck = { kind: 'sync'; direction: Direction; why: string } | { kind: 'verify'; why: string };

const share = (audience: Audience, percentage: number): number => (audience === 'everyone' ? 100 : audience === 'rollout' ? percentage : 0);

/** Share of users whose safe requests the service answers. */
export function readsPercent({ stage, percentage }: StageSetting): number {
  return share(STAGE_RULES[stage].reads, percentage);
}

/** Share of users whose unsafe requests (writes) the service takes. */
export function writesPercent({ stage, percentage }: StageSetting): number {
  return share(STAGE_RULES[stage].writes, percentage);
}

const servesEveryone = (stage: Stage): boolean => STAGE_RULES[stage].reads === 'everyone' || STAGE_RULES[stage].writes === 'everyone';

/**
 * What a move from `from` to `to` needs, and why (computed from STAGE_RULES):
 *
 * - **sync to-service** whenever the target stage lets the service answer (or, in shadow, be compared
 *   with) requests about data the monolith writes (`serviceSeesMonolithData`: shadow, reads, live,
 *   complete). The monolith still takes every write of users outside the rollout, and its own
 *   in-process paths (checkout) write payments at every stage until its routes are removed.
 * - **sync to-monolith** whenever the service takes writes before or after the move (live, complete):
 *   entering, so that a later rollback finds every write on the monolith; leaving (rollback, lower
 *   percentage, back to reads), so that users moved back to the monolith find what they wrote.
 * - **verify** whenever the service is about to answer more users than it does now (its read or write
 *   share grows), and on entering a stage where it serves everyone (complete): the two databases must
 *   hold the same data at that moment. Not for shadow (finding differences is what shadow is for) and
 *   not on the way back (the sync check is what protects a rollback; a rollback must not wait for a
 *   full comparison).
 */
export function requiredChecks(from: StageSetting, to: StageSetting): GateCheck[] {
  const checks: GateCheck[] = [];
  if (STAGE_RULES[to.stage].serviceSeesMonolithData) {
    checks.push({
      kind: 'sync',
      direction: 'to-service',
      why: STAGE_RULES[to.stage].mirrorReads ? 'shadow compares the service’s answers with the monolith’s' : 'the service reads what the monolith writes',
    });
  }
  const leavingWrites = serviceTakesWrites(from.stage) && writesPercent(to) < writesPercent(from);
  if (serviceTakesWrites(to.stage) || serviceTakesWrites(from.stage)) {
    checks.push({
      kind: 'sync',
      direction: 'to-monolith',
      why: leavingWrites ? 'users moved back to the monolith must find what they wrote on the service' : 'the monolith must hold every write the service takes, so a rollback loses nothing',
    });
  }
  const growing = readsPercent(to) > readsPercent(from) || writesPercent(to) > writesPercent(from);
  if (growing || (servesEveryone(to.stage) && !servesEveryone(from.stage))) {
    checks.push({ kind: 'verify', why: 'the service is about to serve more users: both databases must hold the same data' });
  }
  return checks;
}

export const describeCheck = (check: GateCheck): string => (check.kind === 'sync' ? `sync ${check.direction}` : 'verify');
