import { STAGES, stageAllows, type Stage } from '@strangler/cutover-model';
import { decideOnFailure } from '../src/resilience/fallback-policy';
import { decideRoute, isFlagUnavailable, PRESUMED, ROUTE_REASONS, type RouteDecision, type RouteFacts, type Side } from '../src/routing/route-decision';

const base = (overrides: Partial<RouteFacts> = {}): RouteFacts =>
  Object.freeze({ ...PRESUMED, matched: true, method: 'GET', stage: 'live', inRollout: true, flagUnavailable: false, emergencyStop: false, pin: undefined, ...overrides });

const pick = (d: RouteDecision) => ({ side: d.side, reason: d.reason, refused: d.refused, mirror: d.mirror, fallback: d.fallback });

describe('the routing decision: the stage rule, nothing else in the way', () => {
  // stage, in rollout, method → side, reason, mirror, fallback. Written out: this is the contract.
  const rows: Array<[Stage, boolean, string, Side, RouteDecision['reason'], boolean, Side | undefined]> = [
    ['monolith', true, 'GET', 'monolith', 'stage', false, undefined],
    ['monolith', true, 'POST', 'monolith', 'stage', false, undefined],
    ['monolith', false, 'GET', 'monolith', 'stage', false, undefined],
    ['monolith', false, 'POST', 'monolith', 'stage', false, undefined],
    ['shadow', true, 'GET', 'monolith', 'stage', true, undefined],
    ['shadow', true, 'HEAD', 'monolith', 'stage', true, undefined],
    ['shadow', true, 'POST', 'monolith', 'stage', false, undefined],
    ['shadow', false, 'GET', 'monolith', 'stage', false, undefined],
    ['shadow', false, 'POST', 'monolith', 'stage', false, undefined],
    ['reads', true, 'GET', 'service', 'in_rollout', false, 'monolith'],
    ['reads', true, 'OPTIONS', 'service', 'in_rollout', false, 'monolith'],
    ['reads', true, 'POST', 'monolith', 'stage', false, undefined],
    ['reads', false, 'GET', 'monolith', 'out_of_rollout', false, undefined],
    ['reads', false, 'DELETE', 'monolith', 'stage', false, undefined],
    ['live', true, 'GET', 'service', 'in_rollout', false, 'monolith'],
    ['live', true, 'POST', 'service', 'in_rollout', false, undefined],
    ['live', false, 'GET', 'monolith', 'out_of_rollout', false, undefined],
    ['live', false, 'PATCH', 'monolith', 'out_of_rollout', false, undefined],
    ['complete', true, 'GET', 'service', 'stage', false, 'monolith'],
    ['complete', true, 'POST', 'service', 'stage', false, undefined],
    ['complete', false, 'GET', 'service', 'stage', false, 'monolith'],
    ['complete', false, 'PUT', 'service', 'stage', false, undefined],
  ];
  it.each(rows)('%s, in rollout %s, %s → %s (%s)', (stage, inRollout, method, side, reason, mirror, fallback) => {
    expect(pick(decideRoute(base({ stage, inRollout, method })))).toEqual({ side, reason, refused: false, mirror, fallback });
  });
});

describe('the routing decision: what can override the stage', () => {
  const cases: Array<[string, Partial<RouteFacts>, Partial<RouteDecision>]> = [
    ['a path no capability owns', { matched: false, stage: 'complete' }, { side: 'monolith', reason: 'unmatched' }],
    ['an emergency stop, even with a pin to the service', { emergencyStop: true, stage: 'complete', pin: 'service' }, { side: 'monolith', reason: 'emergency_stop', pinned: false }],
    ['a flag that cannot be read', { flagUnavailable: true, stage: 'monolith', inRollout: false }, { side: 'monolith', reason: 'flag_unavailable' }],
    ['a pin to the service at reads, out of the rollout', { stage: 'reads', inRollout: false, pin: 'service' }, { side: 'service', reason: 'pinned', pinned: true, fallback: 'monolith' }],
    ['a pin to the monolith at live, in the rollout', { stage: 'live', pin: 'monolith' }, { side: 'monolith', reason: 'pinned', pinned: true, fallback: 'service' }],
    ['a pin to the monolith at live, out of the rollout (the flag names it anyway)', { stage: 'live', inRollout: false, pin: 'monolith' }, { side: 'monolith', reason: 'out_of_rollout', pinned: false, fallback: undefined }],
    ['a pin to the side the flag names anyway', { stage: 'live', pin: 'service' }, { side: 'service', reason: 'in_rollout', pinned: false }],
    ['a pin to the service after a rollback to shadow', { stage: 'shadow', pin: 'service' }, { side: 'monolith', reason: 'stage', pinned: false, mirror: false, mirrorSkipped: 'recent_write' }],
    // The drill: a buyer's checkout (the monolith's route writing payments through) read back from the service at complete was 404 for ~13 % of checkouts, the sync not there yet.
    ['a pin to the monolith once complete (its checkout wrote there)', { stage: 'complete', pin: 'monolith' }, { side: 'monolith', reason: 'pinned', pinned: true, fallback: 'service' }],
    // Red team on 1c500e5: the monolith gone after the checkout answered the buyer's payments reads 502 for the window.
    ['a read pinned to the monolith, which gave no answer', { stage: 'complete', pin: 'monolith', monolithFailed: true }, { side: 'service', reason: 'monolith_failed', pinned: true }],
    ['a read pinned to the monolith, which gave no answer, the breaker open', { stage: 'complete', pin: 'monolith', monolithFailed: true, breaker: 'open' }, { side: 'monolith', reason: 'breaker_open' }],
    ['a read pinned to the monolith, the breaker known open: nowhere to fall back', { stage: 'complete', pin: 'monolith', breaker: 'open' }, { side: 'monolith', reason: 'pinned', fallback: undefined }],
    ['a pin on a write (writes are never pinned)', { stage: 'live', inRollout: false, method: 'POST', pin: 'service' }, { side: 'monolith', reason: 'out_of_rollout', pinned: false }],
    ['an open breaker, a read', { breaker: 'open' }, { side: 'monolith', reason: 'breaker_open', refused: false, fallback: undefined }],
    ['an open breaker, a write', { breaker: 'open', method: 'POST' }, { side: 'service', reason: 'breaker_open', refused: true }],
    ['an open breaker, a read pinned to the service', { stage: 'reads', inRollout: false, pin: 'service', breaker: 'open' }, { side: 'monolith', reason: 'breaker_open', pinned: true }],
    ['an open breaker while the monolith serves anyway', { inRollout: false, breaker: 'open' }, { side: 'monolith', reason: 'out_of_rollout' }],
    ['a half-open breaker', { breaker: 'half-open' }, { side: 'service', reason: 'in_rollout' }],
    ['no permit for a read', { breaker: 'refused' }, { side: 'monolith', reason: 'breaker_open' }],
    ['no permit for a write', { breaker: 'refused', method: 'DELETE', stage: 'complete' }, { side: 'service', reason: 'breaker_open', refused: true }],
    ['a shadow read shed under load', { stage: 'shadow', shadow: 'shed' }, { side: 'monolith', reason: 'stage', mirror: false, mirrorSkipped: 'shed' }],
    ['a shadow read by a caller who just wrote', { stage: 'shadow', pin: 'monolith' }, { side: 'monolith', reason: 'stage', mirror: false, mirrorSkipped: 'recent_write' }],
    ['a raised fence, a write', { method: 'POST', fence: 'raised' }, { side: 'service', reason: 'write_fenced', refused: true }],
    ['a raised fence, a write of a monolith route writing through', { matched: false, method: 'POST', fence: 'raised' }, { side: 'monolith', reason: 'write_fenced', refused: true }],
    ['a raised fence, a read', { fence: 'raised' }, { side: 'service', reason: 'in_rollout', refused: false }],
    ['a raised fence and an open breaker: the breaker answers first', { method: 'POST', fence: 'raised', breaker: 'open' }, { reason: 'breaker_open', refused: true }],
    ['a read the service failed', { serviceFailed: true }, { side: 'monolith', reason: 'service_failed', fallback: undefined }],
    ['a write the service failed: it stays with the service', { method: 'POST', serviceFailed: true }, { side: 'service', reason: 'in_rollout' }],
  ];
  it.each(cases)('%s', (_name, facts, expected) => {
    expect(decideRoute(base(facts))).toMatchObject(expected);
  });
});

describe('the flagUnavailable fact of a flag evaluation', () => {
  it.each([
    ['not-ready', true],
    ['missing', true],
    ['error', true],
    ['disabled', false],
    ['explicit-monolith', false],
    ['complete', false],
    ['in-rollout', false],
    ['out-of-rollout', false],
  ] as const)('%s → %s', (reason, unavailable) => {
    expect(isFlagUnavailable(reason)).toBe(unavailable);
  });
});

/** Every combination of every fact. */
function* everyFacts(): Generator<RouteFacts> {
  for (const matched of [true, false])
    for (const stage of STAGES)
      for (const inRollout of [true, false])
        for (const method of ['GET', 'POST'])
          for (const pin of [undefined, 'monolith', 'service'] as const)
            for (const breaker of ['closed', 'half-open', 'open', 'refused'] as const)
              for (const shadow of ['admitted', 'shed'] as const)
                for (const fence of ['clear', 'raised'] as const)
                  for (const emergencyStop of [false, true])
                    for (const flagUnavailable of [false, true])
                      for (const serviceFailed of [false, true])
                        for (const monolithFailed of [false, true])
                          yield Object.freeze({ matched, stage, inRollout, method, pin, breaker, shadow, fence, emergencyStop, flagUnavailable, serviceFailed, monolithFailed });
}

describe('the routing decision over every combination of facts', () => {
  const all = [...everyFacts()].map((facts) => ({ facts, decision: decideRoute(facts) }));
  /** The combinations breaking a rule (empty when it holds): one assertion per rule keeps the run fast. */
  const breaking = (rule: (facts: RouteFacts, decision: RouteDecision) => boolean) => all.filter(({ facts, decision }) => !rule(facts, decision));
  const safe = (facts: RouteFacts) => facts.method === 'GET';

  it('covers them all and reaches every reason code', () => {
    expect(all).toHaveLength(2 * 5 * 2 * 2 * 3 * 4 * 2 * 2 * 2 * 2 * 2 * 2);
    expect(new Set(all.map((d) => d.decision.reason))).toEqual(new Set(ROUTE_REASONS));
  });

  it('is a function of its facts', () => {
    expect(breaking((facts, decision) => JSON.stringify(decideRoute({ ...facts })) === JSON.stringify(decision))).toEqual([]);
  });

  it('never lets a write leave the service when the stage gives it the service (decision 0020)', () => {
    expect(breaking((facts, decision) => safe(facts) || decideRoute({ ...facts, ...PRESUMED }).side !== 'service' || decision.side === 'service')).toEqual([]);
  });

  it('refuses only writes, and only for a breaker or a fence', () => {
    const reasonable = (facts: RouteFacts, decision: RouteDecision) =>
      decision.reason === 'write_fenced' ? facts.fence === 'raised' : decision.reason === 'breaker_open' && (facts.breaker === 'open' || facts.breaker === 'refused');
    expect(breaking((facts, decision) => !decision.refused || (!safe(facts) && reasonable(facts, decision)))).toEqual([]);
  });

  it('refuses every write while its fence stands, unless the breaker already did', () => {
    expect(breaking((facts, decision) => safe(facts) || facts.fence === 'clear' || (decision.refused && ['write_fenced', 'breaker_open'].includes(decision.reason)))).toEqual([]);
  });

  it('sends a request only where its stage lets that side serve it, but for the ways back to the monolith', () => {
    // A read pinned to the monolith is one of them: the monolith took the caller's write (decision 0012).
    const waysBack = new Set(['unmatched', 'emergency_stop', 'flag_unavailable', 'breaker_open', 'service_failed']);
    expect(
      breaking((facts, decision) => {
        if (decision.refused) return true;
        if (waysBack.has(decision.reason)) return decision.side === 'monolith';
        if (decision.reason === 'pinned' && decision.side === 'monolith') return safe(facts) && facts.pin === 'monolith';
        return stageAllows(facts.stage, decision.side, safe(facts));
      }),
    ).toEqual([]);
  });

  it('never sends anything to the service without a capability, with a stop, or with the flag unreadable', () => {
    expect(breaking((facts, decision) => (facts.matched && !facts.emergencyStop && !facts.flagUnavailable) || decision.side === 'monolith')).toEqual([]);
  });

  it('mirrors only in-rollout shadow reads of a capability, by callers who did not just write, when admitted', () => {
    const mirrored = (facts: RouteFacts) =>
      facts.matched && !facts.emergencyStop && !facts.flagUnavailable && facts.stage === 'shadow' && facts.inRollout && safe(facts) && facts.pin === undefined && facts.shadow === 'admitted';
    expect(breaking((facts, decision) => decision.mirror === mirrored(facts) && (!decision.mirror || decision.side === 'monolith'))).toEqual([]);
  });

  it('names a fallback exactly where the failure policy retries there, and deciding again after that failure sends it there', () => {
    const failure = { kind: 'connect', requestSent: false, code: 'ECONNREFUSED', message: 'refused' } as const;
    expect(
      breaking((facts, decision) => {
        if (decision.refused) return true;
        const { side, fallback } = decision;
        const kind = decideOnFailure({ side, safe: safe(facts), replayable: true, hasIdempotencyKey: false, capability: 'c', responseTimeoutMs: 1, failure, fallback }).kind;
        if (fallback === undefined) return kind === 'fail';
        if (kind !== `retry-on-${fallback}`) return false;
        const after = decideRoute({ ...facts, ...(fallback === 'monolith' ? { serviceFailed: true } : { monolithFailed: true }) });
        return after.side === fallback && after.reason === `${side}_failed`;
      }),
    ).toEqual([]);
  });

  it('says pinned only when the pin moved the side the stage and rollout named', () => {
    expect(breaking((facts, decision) => !decision.pinned || (facts.pin !== undefined && decideRoute({ ...facts, pin: undefined, ...PRESUMED }).side !== facts.pin))).toEqual([]);
  });
});
