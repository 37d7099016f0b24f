import { decideTarget, STAGES, type Stage } from '../src/flags';

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
