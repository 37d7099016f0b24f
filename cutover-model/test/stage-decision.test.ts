import { decideTarget, STAGES, stageAllows, type Stage } from '../src';

describe('decideTarget: stage × method × rollout', () => {
  const cases: Array<[Stage, boolean, string, 'monolith' | 'service', boolean]> = [
    // stage, in rollout, method, target, mirror
    ['monolith', true, 'GET', 'monolith', false],
    ['monolith', true, 'POST', 'monolith', false],
    ['monolith', false, 'GET', 'monolith', false],
    ['shadow', true, 'GET', 'monolith', true],
    ['shadow', true, 'HEAD', 'monolith', true],
    ['shadow', true, 'OPTIONS', 'monolith', true],
    ['shadow', true, 'POST', 'monolith', false],
    ['shadow', true, 'DELETE', 'monolith', false],
    ['shadow', false, 'GET', 'monolith', false],
    ['reads', true, 'GET', 'service', false],
    ['reads', true, 'HEAD', 'service', false],
    ['reads', true, 'POST', 'monolith', false],
    ['reads', true, 'PATCH', 'monolith', false],
    ['reads', false, 'GET', 'monolith', false],
    ['live', true, 'GET', 'service', false],
    ['live', true, 'POST', 'service', false],
    ['live', true, 'DELETE', 'service', false],
    ['live', false, 'GET', 'monolith', false],
    ['live', false, 'POST', 'monolith', false],
    ['complete', true, 'GET', 'service', false],
    ['complete', true, 'POST', 'service', false],
    ['complete', false, 'GET', 'service', false],
    ['complete', false, 'POST', 'service', false],
  ];

  it.each(cases)('%s, in rollout %s, %s → %s (mirror %s)', (stage, inRollout, method, target, mirror) => {
    expect(decideTarget(stage, inRollout, method)).toEqual({ target, mirror });
  });

  it('treats methods case-insensitively', () => {
    expect(decideTarget('reads', true, 'get')).toEqual({ target: 'service', mirror: false });
  });

  it('never sends an unsafe request to the service before the live stage, nor mirrors one', () => {
    for (const stage of STAGES) {
      for (const inRollout of [true, false]) {
        for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
          const decision = decideTarget(stage, inRollout, method);
          expect(decision.mirror).toBe(false);
          if (stage !== 'live' && stage !== 'complete') expect(decision.target).toBe('monolith');
        }
      }
    }
  });
});

describe('stageAllows: which side a read-your-writes pin may send a request to', () => {
  const cases: Array<[Stage, 'monolith' | 'service', boolean, boolean]> = [
    // stage, side, safe, allowed
    ['monolith', 'monolith', true, true],
    ['monolith', 'service', true, false],
    ['shadow', 'monolith', true, true],
    ['shadow', 'service', true, false],
    ['reads', 'monolith', true, true],
    ['reads', 'service', true, true],
    ['reads', 'service', false, false],
    ['reads', 'monolith', false, true],
    ['live', 'monolith', true, true],
    ['live', 'service', true, true],
    ['live', 'service', false, true],
    ['complete', 'service', true, true],
    ['complete', 'monolith', true, false],
    ['complete', 'monolith', false, false],
  ];

  it.each(cases)('%s: %s for a safe request %s → %s', (stage, side, safe, allowed) => {
    expect(stageAllows(stage, side, safe)).toBe(allowed);
  });

  it('allows whatever decideTarget itself picks, so a pin never forbids the flag’s own answer', () => {
    for (const stage of STAGES) {
      for (const inRollout of [true, false]) {
        for (const method of ['GET', 'POST']) {
          expect(stageAllows(stage, decideTarget(stage, inRollout, method).target, method === 'GET')).toBe(true);
        }
      }
    }
  });
});
