import { ABSENT, TOMBSTONE, decide, type Base, type Decision } from '../src/data/conflict-rule';
import { deleteWins, quarantineConflict, revocationWins } from '../src/data/conflict-resolvers';
import type { CanonicalRow } from '../src/data/canonical';

/** States of one entity: X was agreed, then each side may have moved on. */
const X = 'hash-x';
const S = 'hash-s';
const T = 'hash-t';

describe('the three-way conflict rule (no clocks)', () => {
  const cases: Array<[string, { source: string; target: string; target_base: Base; source_base: Base; tombstone?: boolean }, Decision]> = [
    ['equal content is nothing to do', { source: S, target: S, target_base: X, source_base: undefined }, 'same'],
    ['equal absence is nothing to do', { source: ABSENT, target: ABSENT, target_base: undefined, source_base: undefined }, 'same'],
    ['never carried, the target lacks it: copy', { source: S, target: ABSENT, target_base: undefined, source_base: undefined }, 'fast-forward'],
    ['never carried, both created it differently (two records for one key): conflict', { source: S, target: T, target_base: undefined, source_base: undefined }, 'conflict'],
    ['never carried, the source deleted it and the target has its own: keep', { source: ABSENT, target: T, target_base: undefined, source_base: undefined }, 'keep'],
    ['the target still holds what was last carried to it: fast-forward', { source: S, target: X, target_base: X, source_base: undefined }, 'fast-forward'],
    ['the target holds what was last carried from it to the source: fast-forward', { source: S, target: X, target_base: undefined, source_base: X }, 'fast-forward'],
    ['the source still holds the agreed state, the target moved on: keep', { source: X, target: T, target_base: X, source_base: undefined }, 'keep'],
    ['both moved on since they agreed: conflict', { source: S, target: T, target_base: X, source_base: X }, 'conflict'],
    ['a delete of an unchanged target: fast-forward (delete)', { source: ABSENT, target: X, target_base: X, source_base: undefined }, 'fast-forward'],
    ['a delete against a change: conflict', { source: ABSENT, target: T, target_base: X, source_base: undefined }, 'conflict'],
    ['a change against a delete on the target: conflict', { source: S, target: ABSENT, target_base: X, source_base: undefined }, 'conflict'],
    ['the target deleted it, the source did not change: keep (the delete goes back)', { source: X, target: ABSENT, target_base: X, source_base: undefined }, 'keep'],
    ['a re-creation after an agreed delete, from the changelog: carried', { source: S, target: ABSENT, target_base: TOMBSTONE, source_base: undefined }, 'fast-forward'],
    ['a backfill row (or a parent pulled in) over a tombstone: never brought back', { source: S, target: ABSENT, target_base: TOMBSTONE, source_base: undefined, tombstone: true }, 'tombstoned'],
    ['a tombstone does not stop an equal state', { source: ABSENT, target: ABSENT, target_base: TOMBSTONE, source_base: undefined, tombstone: true }, 'same'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(decide({ source: input.source, target: input.target, bases: { target: input.target_base, source: input.source_base }, honourTombstone: input.tombstone })).toBe(expected);
  });

  it('both directions see a conflict as one: neither applies over the other', () => {
    // Agreed X on both; the monolith moved to S, the service to T.
    const toService = decide({ source: S, target: T, bases: { target: X, source: X } });
    const toMonolith = decide({ source: T, target: S, bases: { target: X, source: X } });
    expect([toService, toMonolith]).toEqual(['conflict', 'conflict']);
  });

  it('a later write is carried whatever any clock says (there is none in the rule)', () => {
    // X carried monolith → service; the service refunds (T); the monolith never moved.
    expect(decide({ source: T, target: X, bases: { target: undefined, source: X } })).toBe('fast-forward');
    expect(decide({ source: X, target: T, bases: { target: X, source: undefined } })).toBe('keep');
  });
});

describe('conflict resolvers are symmetric', () => {
  const session = (revoked: number | null, extra: Partial<Record<string, number | string | null>> = {}): CanonicalRow => ({ token_hash: 'h', user_id: 'u', created_at: 1, expires_at: 9, revoked_at: revoked, ...extra });
  const pairs: Array<[string, CanonicalRow | null, CanonicalRow | null]> = [
    ['open vs revoked', session(null), session(5)],
    ['two revocations', session(7), session(5)],
    ['deleted vs revoked', null, session(5)],
    ['different users (not a revocation)', session(null), session(5, { user_id: 'v' })],
  ];
  const resolve = deleteWins(revocationWins('revoked_at'));
  it.each(pairs)('%s: the same version whichever side comes first', (_name, a, b) => {
    const one = resolve(a, b);
    const other = resolve(b, a);
    const flip = { a: 'b', b: 'a', quarantine: 'quarantine' } as const;
    expect(other).toBe(flip[one]);
  });

  it('a revocation wins; of two, the earlier; a delete wins; anything else is quarantined', () => {
    expect(resolve(session(null), session(5))).toBe('b');
    expect(resolve(session(7), session(5))).toBe('b');
    expect(resolve(null, session(5))).toBe('a');
    expect(resolve(session(null), session(5, { user_id: 'v' }))).toBe('quarantine');
    expect(quarantineConflict(session(1), session(2))).toBe('quarantine');
  });
});
