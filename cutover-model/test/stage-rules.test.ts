import { audienceOf, decideTarget, isSafeMethod, STAGE_RULES, STAGES, stageAllows, type Audience, type Side, type Stage } from '../src';

/** The table of decision 0040, restated once here so that a change to STAGE_RULES is a visible, reviewed change. */
const EXPECTED: Record<Stage, [reads: Audience, writes: Audience, mirrorReads: boolean, serviceSeesMonolithData: boolean]> = {
  monolith: ['none', 'none', false, false],
  shadow: ['none', 'none', true, true],
  reads: ['rollout', 'none', false, true],
  live: ['rollout', 'rollout', false, true],
  complete: ['everyone', 'everyone', false, true],
};

describe('STAGE_RULES', () => {
  it.each(STAGES.map((stage) => [stage, EXPECTED[stage]] as const))('%s is %j', (stage, [reads, writes, mirrorReads, serviceSeesMonolithData]) => {
    expect(STAGE_RULES[stage]).toEqual({ reads, writes, mirrorReads, serviceSeesMonolithData });
  });

  it('is frozen: nobody changes what a stage means at run time', () => {
    expect(Object.isFrozen(STAGE_RULES)).toBe(true);
    for (const stage of STAGES) expect(Object.isFrozen(STAGE_RULES[stage])).toBe(true);
  });

  it('classifies GET, HEAD and OPTIONS as safe, any case, and everything else as unsafe', () => {
    expect(['GET', 'head', 'Options'].map(isSafeMethod)).toEqual([true, true, true]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'CONNECT'].map(isSafeMethod)).toEqual([false, false, false, false, false, false]);
  });
});

/** Every stage × in/out of rollout × safe/unsafe: who serves, whether it is mirrored, which sides the stage allows. */
const SERVED: Record<Stage, Record<'inSafe' | 'inUnsafe' | 'outSafe' | 'outUnsafe', `${Side}${'' | '+mirror'}`>> = {
  monolith: { inSafe: 'monolith', inUnsafe: 'monolith', outSafe: 'monolith', outUnsafe: 'monolith' },
  shadow: { inSafe: 'monolith+mirror', inUnsafe: 'monolith', outSafe: 'monolith', outUnsafe: 'monolith' },
  reads: { inSafe: 'service', inUnsafe: 'monolith', outSafe: 'monolith', outUnsafe: 'monolith' },
  live: { inSafe: 'service', inUnsafe: 'service', outSafe: 'monolith', outUnsafe: 'monolith' },
  complete: { inSafe: 'service', inUnsafe: 'service', outSafe: 'service', outUnsafe: 'service' },
};

describe('decideTarget and stageAllows over every stage × rollout × method kind', () => {
  const cases = STAGES.flatMap((stage) =>
    ([true, false] as const).flatMap((inRollout) => (['GET', 'POST'] as const).map((method) => [stage, inRollout, method] as const)),
  );

  it.each(cases)('%s, in rollout %s, %s', (stage, inRollout, method) => {
    const key = `${inRollout ? 'in' : 'out'}${method === 'GET' ? 'Safe' : 'Unsafe'}` as const;
    const [target, mirror] = SERVED[stage][key].split('+');
    expect(decideTarget(stage, inRollout, method)).toEqual({ target, mirror: mirror === 'mirror' });
    const audience = audienceOf(stage, method === 'GET');
    expect(stageAllows(stage, 'service', method === 'GET')).toBe(audience !== 'none');
    expect(stageAllows(stage, 'monolith', method === 'GET')).toBe(audience !== 'everyone');
  });
});
