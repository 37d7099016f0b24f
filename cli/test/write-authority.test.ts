import { movesWriteAuthority } from '../src/commands/write-switch';
import type { DesiredFlag } from '../src/flags/flag-state';

const at = (stage: DesiredFlag['stage'], percentage = 0): DesiredFlag => ({ stage, percentage });

// The stage gates themselves (requiredChecks, shares) are the model's: cutover-model/test/stage-gates.test.ts.

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
