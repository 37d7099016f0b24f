import { readsPercent, requiredChecks, writesPercent } from '../src/gates/stage-gates';
import { movesWriteAuthority } from '../src/commands/write-switch';
import type { DesiredFlag } from '../src/flags/flag-state';

const at = (stage: DesiredFlag['stage'], percentage = 0): DesiredFlag => ({ stage, percentage });
const names = (from: DesiredFlag, to: DesiredFlag) => requiredChecks(from, to).map((c) => (c.kind === 'sync' ? `sync ${c.direction}` : 'verify'));

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
  });

  it('reads and writes shares per stage', () => {
    expect([readsPercent(at('shadow', 30)), writesPercent(at('shadow', 30))]).toEqual([0, 0]);
    expect([readsPercent(at('reads', 30)), writesPercent(at('reads', 30))]).toEqual([30, 0]);
    expect([readsPercent(at('live', 30)), writesPercent(at('live', 30))]).toEqual([30, 30]);
    expect([readsPercent(at('complete', 30)), writesPercent(at('complete', 30))]).toEqual([100, 100]);
    expect([readsPercent(at('monolith', 30)), writesPercent(at('monolith', 30))]).toEqual([0, 0]);
  });
});

describe('which changes move write authority, and so go through the write fence (decision 0018)', () => {
  it.each([
    [at('monolith', 10), at('live', 10), true],
    [at('live', 10), at('monolith', 10), true],
    [at('live', 10), at('live', 50), true],
    [at('live', 50), at('live', 0), true],
    [at('live', 50), at('complete', 100), true],
    [at('complete', 100), at('live', 50), true],
    [at('reads', 100), at('live', 10), true],
    [at('live', 100), at('reads', 100), true],
    // no write moves: the fence would only pause writes for nothing
    [at('live', 100), at('complete', 100), false],
    [at('complete', 100), at('live', 100), false],
    [at('monolith', 0), at('shadow', 100), false],
    [at('shadow', 100), at('reads', 100), false],
    [at('reads', 10), at('reads', 50), false],
    [at('reads', 100), at('monolith', 100), false],
  ])('%o → %o: %s', (from, to, fenced) => {
    expect(movesWriteAuthority(from, to)).toBe(fenced);
  });
});
