import { describeCheck, readsPercent, requiredChecks, writesPercent, type StageSetting } from '../src';

const at = (stage: StageSetting['stage'], percentage = 0): StageSetting => ({ stage, percentage });
const names = (from: StageSetting, to: StageSetting) => requiredChecks(from, to).map(describeCheck);

describe('stage gates (docs/decisions/0009-stage-gates.md)', () => {
  it.each([
    // forward, one stage at a time
    [at('monolith'), at('shadow', 10), ['sync to-service']],
    [at('shadow', 10), at('reads', 10), ['sync to-service', 'verify']],
    [at('reads', 100), at('live', 10), ['sync to-service', 'sync to-monolith', 'verify']],
    [at('live', 10), at('live', 50), ['sync to-service', 'sync to-monolith', 'verify']],
    [at('live', 100), at('complete', 100), ['sync to-service', 'sync to-monolith', 'verify']],
    // straight from the monolith to anywhere
    [at('monolith', 0), at('complete', 100), ['sync to-service', 'sync to-monolith', 'verify']],
    [at('monolith', 50), at('live', 50), ['sync to-service', 'sync to-monolith', 'verify']],
    // back: the sync that carries the service's writes home, no verify
    [at('live', 50), at('monolith', 50), ['sync to-monolith']],
    [at('complete', 100), at('monolith', 100), ['sync to-monolith']],
    [at('live', 50), at('live', 10), ['sync to-service', 'sync to-monolith']],
    [at('complete', 100), at('live', 100), ['sync to-service', 'sync to-monolith']],
    [at('live', 100), at('reads', 100), ['sync to-service', 'sync to-monolith']],
    // the service never took a write: nothing to lose going back
    [at('reads', 100), at('monolith', 100), []],
    [at('shadow', 100), at('monolith', 100), []],
    [at('reads', 100), at('shadow', 100), ['sync to-service']],
    // fewer readers but the first writers: verify
    [at('reads', 50), at('live', 10), ['sync to-service', 'sync to-monolith', 'verify']],
    // more readers at reads, no change at all
    [at('reads', 10), at('reads', 50), ['sync to-service', 'verify']],
    [at('shadow', 30), at('shadow', 30), ['sync to-service']],
    [at('monolith', 0), at('monolith', 0), []],
  ])('%j → %j needs %j', (from, to, expected) => {
    expect(names(from, to)).toEqual(expected);
  });

  it('says why each check is needed', () => {
    expect(requiredChecks(at('live', 50), at('monolith', 50))).toEqual([
      { kind: 'sync', direction: 'to-monolith', why: 'users moved back to the monolith must find what they wrote on the service' },
    ]);
    expect(requiredChecks(at('reads', 100), at('live', 10)).map((c) => c.why)).toEqual([
      'the service reads what the monolith writes',
      'the monolith must hold every write the service takes, so a rollback loses nothing',
      'the service is about to serve more users: both databases must hold the same data',
    ]);
    expect(requiredChecks(at('monolith'), at('shadow', 5))[0]?.why).toBe('shadow compares the service’s answers with the monolith’s');
  });

  it('reads and writes shares per stage', () => {
    expect([readsPercent(at('shadow', 30)), writesPercent(at('shadow', 30))]).toEqual([0, 0]);
    expect([readsPercent(at('reads', 30)), writesPercent(at('reads', 30))]).toEqual([30, 0]);
    expect([readsPercent(at('live', 30)), writesPercent(at('live', 30))]).toEqual([30, 30]);
    expect([readsPercent(at('complete', 30)), writesPercent(at('complete', 30))]).toEqual([100, 100]);
    expect([readsPercent(at('monolith', 30)), writesPercent(at('monolith', 30))]).toEqual([0, 0]);
  });
});
