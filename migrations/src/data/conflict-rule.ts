import type { SideName } from './types';

/**
 * The rule for an entity written on both sides within the sync lag (docs/decisions/0007):
 * the newer version wins (updated_at, or the mapping's own notion: a session's revocation), and on
 * equal versions the authoritative side wins. Every worker, in either direction, with the same
 * authority, decides the same way, so both sides converge.
 */
export type Decision = 'same' | 'apply' | 'keep';

export interface Contender {
  side: SideName;
  version: number;
  text: string;
}

export function decide(source: Contender, target: Contender | undefined, authority: SideName): Decision {
  if (!target) return 'apply';
  if (source.text === target.text) return 'same';
  if (source.version !== target.version) return source.version > target.version ? 'apply' : 'keep';
  return source.side === authority ? 'apply' : 'keep';
}
